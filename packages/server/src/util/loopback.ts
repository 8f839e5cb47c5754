const IPV4_LOOPBACK = /^127(?:\.\d{1,3}){3}$/;

/** `localhost`, 127.0.0.0/8 or `[::1]`, as URL.hostname writes them. */
export const isLoopbackHost = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || IPV4_LOOPBACK.test(hostname);

/** HTTPS, or HTTP to a loopback host only: where credentials or trust travel, plain HTTP must not leave the machine. */
export const isHttpsOrLoopback = (url: URL): boolean =>
  url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
