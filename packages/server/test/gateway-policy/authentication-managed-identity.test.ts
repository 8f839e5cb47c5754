/** Load-time checks of authentication-managed-identity; its runs against a real identity service are in gateway-mi/. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadError, policies } from "./helpers.js";

const refusal = (inbound: string) => loadError(policies({ inbound }));

describe("authentication-managed-identity at load", () => {
  it("needs a resource, non-empty where given", () => {
    assert.match(
      refusal(`<authentication-managed-identity />`),
      /Attribute 'resource' is required in policy 'authentication-managed-identity'/,
    );
    assert.match(refusal(`<authentication-managed-identity resource=" " />`), /non-empty 'resource'/);
    assert.match(
      refusal(`<authentication-managed-identity resource="api://x" client-id=" " />`),
      /non-empty 'client-id'/,
    );
  });

  it("takes no expression in client-id or output-token-variable-name, as APIM documents", () => {
    for (const attribute of ["client-id", "output-token-variable-name"]) {
      assert.match(
        refusal(`<authentication-managed-identity resource="api://x" ${attribute}="@(&quot;a&quot;)" />`),
        new RegExp(`'${attribute}'`),
      );
    }
  });

  it("refuses an unknown attribute, a bad ignore-error and other sections", () => {
    assert.match(refusal(`<authentication-managed-identity resource="api://x" scope="y" />`), /'scope'/);
    assert.match(
      refusal(`<authentication-managed-identity resource="api://x" ignore-error="maybe" />`),
      /ignore-error/,
    );
    assert.match(
      loadError(policies({ outbound: `<authentication-managed-identity resource="api://x" />` })),
      /Policy 'authentication-managed-identity' is not allowed in section 'outbound'/,
    );
  });

  it("in send-request, at most once", () => {
    const child = `<authentication-managed-identity resource="api://x" />`;
    assert.match(
      refusal(`<send-request response-variable-name="r"><set-url>http://x/</set-url>${child}${child}</send-request>`),
      /'authentication-managed-identity' may appear only once in 'send-request'/,
    );
  });
});
