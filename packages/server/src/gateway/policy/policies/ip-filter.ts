/**
 * `ip-filter` (reference apim.md §2.19, §1.4, §4.6): allows or forbids callers by the TCP peer's address
 * (`context.Request.IpAddress`, never X-Forwarded-For), against single addresses and ranges compared numerically.
 */
import { ExpressionEvaluationError } from "../../expressions/index.js";
import { parseIpAddress, type IpAddress } from "../../ip-address.js";
import { PolicyFailure, type PolicyDefinition, type PolicyElement } from "../definition.js";
import { enumSetting, mapSetting, textSetting, valueOf, type Setting } from "../setting.js";

interface Range {
  readonly family: 4 | 6;
  readonly from: bigint;
  readonly to: bigint;
}

const contains = (range: Range, ip: IpAddress) =>
  ip.family === range.family && ip.value >= range.from && ip.value <= range.to;

function refuse(reason: string, message: string): PolicyFailure {
  return new PolicyFailure(403, message, "ip-filter", reason, message);
}

function literalAddress(element: PolicyElement, text: string, attribute?: string): IpAddress {
  const ip = parseIpAddress(text);
  if (ip === undefined) throw element.error(`'${text}' is not an IPv4 or IPv6 address`, attribute);
  return ip;
}

function addressRange(element: PolicyElement): Setting<Range> {
  const text = textSetting(element.valueText());
  if (text.fixed && text.value === "") throw element.error("'address' must not be empty");
  return mapSetting(text, (value) => {
    const ip = text.fixed ? literalAddress(element, value) : parseIpAddress(value);
    if (ip === undefined) throw new ExpressionEvaluationError(`'${value}' is not an IPv4 or IPv6 address (ip-filter)`);
    return { family: ip.family, from: ip.value, to: ip.value };
  });
}

function rangeOf(element: PolicyElement): Range {
  const from = literalAddress(element, element.requiredAttribute("from"), "from");
  const to = literalAddress(element, element.requiredAttribute("to"), "to");
  if (from.family !== to.family) throw element.error("'from' and 'to' must both be IPv4 or both IPv6", "to");
  if (from.value > to.value) throw element.error("'from' must not be greater than 'to'", "to");
  return { family: from.family, from: from.value, to: to.value };
}

export const ipFilter: PolicyDefinition = {
  name: "ip-filter",
  sections: ["inbound"],
  compile(element) {
    element.requiredValueAttribute("action");
    const action = enumSetting(element, "action", ["allow", "forbid"] as const, "allow");
    const addresses = element.children("address").map(addressRange);
    const ranges = element.children("address-range").map(rangeOf);
    if (addresses.length === 0 && ranges.length === 0) {
      throw element.error("Policy 'ip-filter' needs at least one 'address' or 'address-range'");
    }
    const fixedRanges = [...ranges, ...addresses.flatMap((a) => (a.fixed ? [a.value] : []))];
    const computedRanges = addresses.filter((a) => !a.fixed);
    return {
      policy: "ip-filter",
      id: element.id,
      run(context) {
        const caller = context.request.ipAddress;
        const ip = parseIpAddress(caller);
        if (ip === undefined) {
          throw refuse("FailedToParseCallerIP", "Failed to establish IP address for the caller. Access denied.");
        }
        const listed =
          fixedRanges.some((range) => contains(range, ip)) ||
          computedRanges.some((range) => contains(valueOf(range, context), ip));
        if (valueOf(action, context) === "allow") {
          if (!listed) throw refuse("CallerIpNotAllowed", `Caller IP address ${caller} is not allowed. Access denied.`);
        } else if (listed) {
          throw refuse("CallerIpBlocked", "Caller IP address is blocked. Access denied.");
        }
      },
    };
  },
};
