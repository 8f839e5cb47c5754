/** The operations of an OpenAPI/Swagger path item, and the methods whose request body API Management discards. */
export const PATH_ITEM_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** For GET, HEAD and OPTIONS operations API Management discards a request body the document defines. */
export const BODYLESS_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** Status codes of responses: `default` and ranges (`2XX`) have none, so API Management's contract cannot hold them. */
export const STATUS_CODE = /^[1-5]\d\d$/;
