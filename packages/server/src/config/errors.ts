/** The configuration file is unreadable or invalid, or cannot be applied as it stands; the message names the entry. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
