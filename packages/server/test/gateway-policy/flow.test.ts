import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_GLOBAL_POLICY } from "../../src/gateway/model/policies/types.js";
import { headersOf, loadError, policies, run, type TestRequest } from "./helpers.js";

async function api(sections: Parameters<typeof policies>[0], request: TestRequest = {}) {
  return run({ global: DEFAULT_GLOBAL_POLICY, api: policies({ backend: "<base/>", ...sections }) }, request);
}

const tag = (value: string) =>
  `<set-header name="X-Branch" exists-action="append"><value>${value}</value></set-header>`;

describe("choose", () => {
  it("runs the first when whose condition holds, else otherwise", async () => {
    const cases: [string, string[]][] = [
      [
        `<choose><when condition="false">${tag("a")}</when><when condition="True">${tag("b")}</when><when condition="true">${tag("c")}</when><otherwise>${tag("d")}</otherwise></choose>`,
        ["b"],
      ],
      [
        `<choose><when condition="false">${tag("a")}</when><otherwise>${tag("d")}${tag("e")}</otherwise></choose>`,
        ["d", "e"],
      ],
      [`<choose><when condition="FALSE">${tag("a")}</when></choose>`, []],
    ];
    for (const [policy, expected] of cases) {
      const { forwarded } = await api({ inbound: policy });
      const headers = Object.fromEntries(forwarded[0]?.headers ?? []);
      assert.deepEqual(headers["X-Branch"] ?? [], expected, policy);
    }
  });

  it("nests, changes the response in outbound, and stops at a return-response inside a branch", async () => {
    const { context, forwarded } = await api({
      inbound: `<choose><when condition="true"><choose><when condition="true">${tag("inner")}<return-response><set-status code="202" reason="Accepted"/></return-response>${tag("after")}</when></choose></when></choose>${tag("next")}`,
    });
    assert.equal(forwarded.length, 0);
    assert.equal(context.response?.statusCode, 202);
    assert.equal(context.request.headers.get("x-branch"), "inner");
    const outbound = await api({ outbound: `<choose><when condition="true">${tag("out")}</when></choose>` });
    assert.deepEqual(headersOf(outbound.context.response)["X-Branch"], ["out"]);
  });

  it("refuses what APIM refuses, at the element", () => {
    const cases: [string, string][] = [
      [`<choose><otherwise/></choose>`, "Policy 'choose' needs at least one 'when' @ 1:20"],
      [`<choose><when>${tag("a")}</when></choose>`, "Attribute 'condition' is required in 'when' @ 1:28"],
      [
        `<choose><when condition="maybe"/></choose>`,
        "Attribute 'condition' must be 'true' or 'false', not 'maybe' @ 1:34",
      ],
      [
        `<choose><otherwise/><when condition="true"/></choose>`,
        "'when' must come before 'otherwise' in 'choose' @ 1:40",
      ],
      [
        `<choose><when condition="true"/><otherwise/><otherwise/></choose>`,
        "'choose' may have only one 'otherwise' @ 1:64",
      ],
      [
        `<choose><if condition="true"/></choose>`,
        "Element 'if' is not allowed in 'choose': it holds 'when' and 'otherwise' @ 1:28",
      ],
      [
        `<choose><when condition="true"><forward-request/></when></choose>`,
        "Policy 'forward-request' is not allowed in section 'inbound' @ 1:51",
      ],
      [
        `<choose><when condition="true"><base/></when></choose>`,
        "'base' is allowed only directly inside a section @ 1:51",
      ],
      [`<choose><when condition="true">text</when></choose>`, "Text is not allowed in 'when' @ 1:51"],
    ];
    for (const [policy, expected] of cases) assert.equal(loadError(policies({ inbound: policy })), expected, policy);
  });
});

describe("set-variable and set-method", () => {
  it("stores a literal as a string and changes the method forwarded", async () => {
    const { context, forwarded } = await api({
      inbound: `<set-variable name="mode" value="fast" /><set-variable name="empty" value="" /><set-method>PATCH</set-method>`,
    });
    assert.equal(context.variables.get("mode"), "fast");
    assert.equal(context.variables.get("empty"), "");
    assert.equal(forwarded.length, 1);
    assert.equal(context.request.method, "PATCH");
    assert.equal(context.request.originalMethod, "GET");
  });

  it("refuses a missing name or value, a method that is not one, and set-method in outbound", () => {
    assert.equal(
      loadError(policies({ inbound: `<set-variable value="1" />` })),
      "Attribute 'name' is required in policy 'set-variable' @ 1:20",
    );
    assert.equal(
      loadError(policies({ inbound: `<set-variable name="a" />` })),
      "Attribute 'value' is required in policy 'set-variable' @ 1:20",
    );
    assert.equal(
      loadError(policies({ inbound: `<set-method>GET POST</set-method>` })),
      "Policy 'set-method' needs an HTTP method, such as POST @ 1:20",
    );
    assert.equal(
      loadError(policies({ outbound: `<set-method>GET</set-method>` })),
      "Policy 'set-method' is not allowed in section 'outbound' @ 1:21",
    );
  });
});

describe("ip-filter", () => {
  const filter = (action: string) => `<ip-filter action="${action}">
    <address>13.66.201.169</address>
    <address-range from="10.0.0.0" to="10.0.255.255" />
    <address-range from="2001:db8::" to="2001:db8::ffff" />
    <address>::1</address>
  </ip-filter>`;

  it("allows only listed callers, comparing addresses and ranges numerically, IPv4-mapped IPv6 as IPv4", async () => {
    for (const ip of ["13.66.201.169", "10.0.3.4", "10.0.255.255", "::ffff:10.0.0.9", "2001:db8::ab", "::1"]) {
      const { forwarded, context } = await api({ inbound: filter("allow") }, { ipAddress: ip });
      assert.equal(forwarded.length, 1, ip);
      assert.equal(context.lastError, undefined, ip);
    }
    for (const ip of ["10.1.0.0", "13.66.201.170", "2001:db8::1:0", "9.255.255.255"]) {
      const { forwarded, context } = await api({ inbound: filter("allow") }, { ipAddress: ip });
      assert.equal(forwarded.length, 0, ip);
      assert.equal(context.response?.statusCode, 403);
      assert.equal(
        context.response?.body,
        `{ "statusCode": 403, "message": "Caller IP address ${ip} is not allowed. Access denied." }`,
      );
      assert.deepEqual([context.lastError?.source, context.lastError?.reason], ["ip-filter", "CallerIpNotAllowed"]);
    }
  });

  it("forbids listed callers, and refuses a caller whose address cannot be read", async () => {
    const blocked = await api({ inbound: filter("forbid") }, { ipAddress: "10.0.0.1" });
    assert.equal(blocked.context.response?.statusCode, 403);
    assert.equal(blocked.context.lastError?.reason, "CallerIpBlocked");
    assert.equal(blocked.context.lastError?.message, "Caller IP address is blocked. Access denied.");
    const other = await api({ inbound: filter("forbid") }, { ipAddress: "192.168.1.1" });
    assert.equal(other.forwarded.length, 1);
    const unknown = await api({ inbound: filter("forbid") }, { ipAddress: "" });
    assert.equal(unknown.context.lastError?.reason, "FailedToParseCallerIP");
    assert.equal(unknown.context.response?.statusCode, 403);
  });

  it("refuses addresses that are not, empty filters and reversed or mixed ranges", () => {
    const cases: [string, string][] = [
      [
        `<ip-filter action="allow"><address>10.0.0.300</address></ip-filter>`,
        "'10.0.0.300' is not an IPv4 or IPv6 address @ 1:46",
      ],
      [`<ip-filter action="allow"/>`, "Policy 'ip-filter' needs at least one 'address' or 'address-range' @ 1:20"],
      [`<ip-filter><address>::1</address></ip-filter>`, "Attribute 'action' is required in policy 'ip-filter' @ 1:20"],
      [
        `<ip-filter action="deny"><address>::1</address></ip-filter>`,
        "Attribute 'action' must be one of 'allow', 'forbid', not 'deny' @ 1:31",
      ],
      [
        `<ip-filter action="allow"><address-range from="10.0.0.9" to="10.0.0.1"/></ip-filter>`,
        "'from' must not be greater than 'to' @ 1:77",
      ],
      [
        `<ip-filter action="allow"><address-range from="10.0.0.1" to="::1"/></ip-filter>`,
        "'from' and 'to' must both be IPv4 or both IPv6 @ 1:77",
      ],
    ];
    for (const [policy, expected] of cases) assert.equal(loadError(policies({ inbound: policy })), expected, policy);
  });
});

describe("LastError inside containers", () => {
  it("names the nested policy's path and id, as APIM's choose[1]/when[2]/…", async () => {
    const { context } = await run({
      api: policies({
        inbound: `<base/><choose>
          <when condition="@(context.Request.Method == &quot;POST&quot;)"><set-header name="a"><value>1</value></set-header></when>
          <when condition="true">
            <set-variable name="v" value="1" />
            <choose><when condition="@(context.Request.Headers.ContainsKey(&quot;X-Skip&quot;))" /><otherwise>
              <check-header id="needs-tenant" name="X-Tenant" failed-check-httpcode="400" failed-check-error-message="Tenant required" ignore-case="true" />
            </otherwise></choose>
          </when>
        </choose>`,
      }),
    });
    assert.equal(context.response?.statusCode, 400);
    assert.equal(context.lastError?.path, "inbound/choose[1]/when[2]/choose[1]/otherwise/check-header[1]");
    assert.equal(context.lastError?.policyId, "needs-tenant");
    assert.equal(context.lastError?.source, "check-header");
  });

  it("keeps the top-level path for a failure outside any container", async () => {
    const { context } = await run({
      api: policies({
        inbound: `<base/><check-header id="top" name="X-Tenant" failed-check-httpcode="400" failed-check-error-message="Tenant required" ignore-case="true" />`,
      }),
    });
    assert.equal(context.lastError?.path, "inbound/check-header[1]");
    assert.equal(context.lastError?.policyId, "top");
  });
});
