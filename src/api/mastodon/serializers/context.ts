import type { AppContext } from "../../../app.ts";

/**
 * What the serialisers may use besides the bundle they render: URLs, configuration, the clock (poll
 * expiry) and the context's resources (the byte caches). No database: they render what core's loaders hydrated.
 */
export type RenderContext = Pick<AppContext, "config" | "uris" | "now" | "resources">;
