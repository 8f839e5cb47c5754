import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_GLOBAL_POLICY } from "../../src/gateway/model/policies/types.js";
import { loadError, policies, run, type TestRequest } from "./helpers.js";

async function forwardedAuthorization(inbound: string, request: TestRequest = {}): Promise<string[]> {
  const { forwarded } = await run(
    { global: DEFAULT_GLOBAL_POLICY, api: policies({ backend: "<base/>", inbound }) },
    request,
  );
  assert.equal(forwarded.length, 1);
  const sent = forwarded[0]?.headers ?? [];
  return sent.filter(([name]) => name.toLowerCase() === "authorization").flatMap(([, values]) => values);
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;

describe("authentication-basic", () => {
  it("sends Basic credentials to the backend, replacing the caller's Authorization", async () => {
    const sent = await forwardedAuthorization(`<authentication-basic username="svc" password="pa:ss wörd" />`, {
      headers: { authorization: "Bearer caller-token" },
    });
    assert.deepEqual(sent, [basic("svc", "pa:ss wörd")]);
  });

  it("takes named values and expressions", async () => {
    const sent = await forwardedAuthorization(
      `<authentication-basic username="@(&quot;svc-&quot; + &quot;{{tenant}}&quot;)" password="{{backend-secret}}" />`,
    );
    assert.deepEqual(sent, [basic("svc-contoso", "s3cret")]);
  });

  it("refuses a missing attribute, a username with a colon, and other sections at load", () => {
    assert.match(
      loadError(policies({ inbound: `<authentication-basic username="svc" />` })),
      /Attribute 'password' is required in policy 'authentication-basic'/,
    );
    assert.match(
      loadError(policies({ inbound: `<authentication-basic username="a:b" password="x" />` })),
      /needs a username without ':'/,
    );
    assert.match(
      loadError(policies({ outbound: `<authentication-basic username="a" password="x" />` })),
      /Policy 'authentication-basic' is not allowed in section 'outbound'/,
    );
  });
});
