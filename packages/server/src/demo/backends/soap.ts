/** SOAP 1.1 envelopes and faults (https://www.w3.org/TR/2000/NOTE-SOAP-20000508/). */

export const SOAP11_ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/";
export const SOAP12_ENVELOPE_NS = "http://www.w3.org/2003/05/soap-envelope";
export const SOAP_CONTENT_TYPE = "text/xml; charset=utf-8";

/** SOAP 1.1 fault codes: the sender's mistake (Client), ours (Server), or the two envelope-level ones. */
export type FaultCode = "Client" | "Server" | "VersionMismatch" | "MustUnderstand";

export class SoapFault extends Error {
  override name = "SoapFault";
  constructor(
    readonly code: FaultCode,
    readonly faultString: string,
  ) {
    super(faultString);
  }
}

const ESCAPES: Record<string, string> = { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" };

/** Text safe inside element content and quoted attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ESCAPES[c] ?? c);
}

/** A complete response document around the given Body content. */
export function soapEnvelope(bodyContent: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<soap:Envelope xmlns:soap="${SOAP11_ENVELOPE_NS}">\n` +
    `  <soap:Body>\n` +
    `    ${bodyContent}\n` +
    `  </soap:Body>\n` +
    `</soap:Envelope>\n`
  );
}

export function faultEnvelope(fault: SoapFault): string {
  return soapEnvelope(
    `<soap:Fault><faultcode>soap:${fault.code}</faultcode>` +
      `<faultstring>${escapeXml(fault.faultString)}</faultstring></soap:Fault>`,
  );
}
