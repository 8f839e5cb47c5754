/** Expressions inside policy documents: load errors at document positions, and evaluation in the pipeline. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadError, policies, run } from "../gateway-policy/helpers.js";

describe("expressions in policy documents", () => {
  it("reports an error inside a multi-line block at its line and column in the document", () => {
    const xml = [
      "<policies>",
      "  <inbound>",
      '    <set-header name="X-Caller" exists-action="override">',
      "      <value>@{",
      "        var ip = context.Request.IpAddress;",
      "        return ip.Reverse2();",
      "      }</value>",
      "    </set-header>",
      "  </inbound>",
      "</policies>",
    ].join("\n");
    assert.match(loadError(xml), /^'string' has no member 'Reverse2'\. .* @ 6:19$/);
  });

  it("reports a syntax error in a single-line expression at its column", () => {
    const xml = policies({
      inbound: `<set-header name="X" exists-action="override"><value>@(context.Request.Method +)</value></set-header>`,
    });
    const at = xml.indexOf("@(");
    assert.equal(
      loadError(xml),
      `An expression expected, found the end of the expression @ 1:${at + 1 + "@(context.Request.Method +".length}`,
    );
  });

  it("evaluates expressions per request", async () => {
    const xml = policies({
      inbound: `<set-header name="X-Route" exists-action="override"><value>@($"{context.Request.Method}:{context.Request.MatchedParameters["id"]}:{context.Request.Headers.GetValueOrDefault("x-tenant", "none")}")</value></set-header>`,
      backend: "<forward-request />",
    });
    const { forwarded } = await run({ api: xml }, { headers: { "X-Tenant": "contoso" } });
    const header = forwarded[0]?.headers.find(([name]) => name === "X-Route");
    assert.deepEqual(header?.[1], ["GET:5:contoso"]);
  });
});
