/**
 * IP addresses as numbers, so that ip-filter compares them and their ranges numerically: IPv4 as 32 bits, IPv6 as
 * 128, an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) as the IPv4 address it carries.
 */
import { isIPv4, isIPv6 } from "node:net";

export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

function ipv4(text: string): bigint {
  return text.split(".").reduce((sum, part) => (sum << 8n) | BigInt(Number(part)), 0n);
}

/** The address, or undefined when the text is not one (a zone index such as `%eth0` is ignored). */
export function parseIpAddress(text: string): IpAddress | undefined {
  const address = text.trim().replace(/%.*$/, "");
  if (isIPv4(address)) return { family: 4, value: ipv4(address) };
  if (!isIPv6(address)) return undefined;
  let head = address;
  let tail: bigint[] = [];
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    const v4 = ipv4(dotted[1] as string);
    head = `${address.slice(0, dotted.index)}:0:0`;
    tail = [v4 >> 16n, v4 & 0xffffn];
  }
  const [left = "", right] = head.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => BigInt(parseInt(g, 16))));
  const leftGroups = groups(left);
  const rightGroups = right === undefined ? [] : groups(right);
  const zeros = Array<bigint>(8 - leftGroups.length - rightGroups.length).fill(0n);
  const all = right === undefined ? leftGroups : [...leftGroups, ...zeros, ...rightGroups];
  if (tail.length > 0) all.splice(6, 2, ...tail);
  const value = all.reduce((sum, group) => (sum << 16n) | group, 0n);
  if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
  return { family: 6, value };
}
