/**
 * `authentication-certificate` (apim.md §2, backend authentication): the gateway presents a TLS client certificate
 * to the backend. Exactly one of `certificate-id` (a certificate entity), `thumbprint` (the certificate entity with
 * that thumbprint) or `body` (the PFX file's bytes or base64, with `password`) names it. As a policy it applies to the
 * forwarded request; inside send-request and send-one-way-request, to that request. Certificates named literally are
 * resolved when the document loads, so an unknown one refuses the document.
 */
import { createHash } from "node:crypto";
import { ExpressionEvaluationError } from "../../expressions/errors.js";
import { CertificateReferenceError, clientCertificateOf } from "../../model/certificates/lookup.js";
import type { ClientCertificate } from "../../model/certificates/types.js";
import { certificateFrom } from "../../model/certificates/validation.js";
import { GatewayValidationError } from "../../model/errors.js";
import type { PipelineContext } from "../../pipeline/context.js";
import type { CompileEnvironment, PolicyDefinition, PolicyElement, PolicyValue } from "../definition.js";

const POLICY = "authentication-certificate";
const FORMS = ["certificate-id", "thumbprint", "body"] as const;
/** Files given as `body` opened recently, by digest of the bytes and password: parsing a PFX costs a key derivation. */
const BODY_CACHE_SIZE = 16;

/** The certificate for a request, as the element names it. */
export type ClientCertificateSource = (context: PipelineContext) => ClientCertificate;

export function readClientCertificate(
  element: PolicyElement,
  environment: CompileEnvironment,
): ClientCertificateSource {
  const given = FORMS.map((form) => [form, element.valueAttribute(form)] as const).filter(([, v]) => v !== undefined);
  if (given.length !== 1) {
    throw element.error(
      `Policy '${POLICY}' needs exactly one of the attributes 'certificate-id', 'thumbprint' and 'body'`,
    );
  }
  const [[form, value]] = given as [[(typeof FORMS)[number], PolicyValue]];
  const password = element.valueAttribute("password");
  if (password !== undefined && form !== "body") {
    throw element.error(`Attribute 'password' of '${POLICY}' goes with 'body' only`, "password");
  }
  if (form === "body") return fromBody(value, password);
  const { certificates } = environment;
  const find = (text: string) =>
    clientCertificateOf(form === "certificate-id" ? certificates.named(text) : certificates.withThumbprint(text));
  if (value.constant !== undefined) {
    try {
      const certificate = find(value.constant);
      return () => certificate;
    } catch (error) {
      if (error instanceof CertificateReferenceError) throw element.error(error.message, form);
      throw error;
    }
  }
  return (context) => {
    try {
      return find(value.text(context));
    } catch (error) {
      if (error instanceof CertificateReferenceError)
        throw new ExpressionEvaluationError(`${error.message} (${POLICY})`);
      throw error;
    }
  };
}

function fromBody(body: PolicyValue, password: PolicyValue | undefined): ClientCertificateSource {
  const opened = new Map<string, ClientCertificate>();
  return (context) => {
    const value = body.evaluate(context);
    const bytes =
      value instanceof Uint8Array
        ? Buffer.from(value)
        : typeof value === "string"
          ? Buffer.from(value, "base64")
          : undefined;
    if (!bytes || bytes.length === 0) {
      throw new ExpressionEvaluationError(`The 'body' of ${POLICY} must be a byte[] or a base64 string of a PFX file`);
    }
    const secret = password?.text(context) ?? "";
    const key = createHash("sha256").update(bytes).update("\0").update(secret, "utf8").digest("base64");
    let certificate = opened.get(key);
    if (!certificate) {
      certificate = openBody(bytes, secret);
      if (opened.size >= BODY_CACHE_SIZE) opened.delete(opened.keys().next().value as string);
      opened.set(key, certificate);
    }
    return certificate;
  };
}

function openBody(bytes: Buffer, password: string): ClientCertificate {
  try {
    return clientCertificateOf(certificateFrom("body", { data: bytes.toString("base64"), password }));
  } catch (error) {
    // The messages name what is wrong with the file, never the password.
    if (error instanceof GatewayValidationError || error instanceof CertificateReferenceError) {
      throw new ExpressionEvaluationError(`The 'body' of ${POLICY} is not a usable certificate: ${error.message}`);
    }
    throw error;
  }
}

export const authenticationCertificate: PolicyDefinition = {
  name: POLICY,
  sections: ["inbound"],
  compile(element, environment) {
    const certificate = readClientCertificate(element, environment);
    return {
      policy: POLICY,
      id: element.id,
      run(context) {
        context.clientCertificate = certificate(context);
      },
    };
  },
};
