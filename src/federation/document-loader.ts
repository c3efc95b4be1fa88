/**
 * Fedify document and context loaders on the guarded fetch (src/federation/fetch-guard.ts):
 *
 *   documentLoaderFactory: documentLoaderFactory(guardedFetch(config), kv),
 *   contextLoaderFactory: documentLoaderFactory(guardedFetch(config), kv),
 *   authenticatedDocumentLoaderFactory: authenticatedDocumentLoaderFactory(config),
 *
 * Fedify refuses `allowPrivateAddress` next to custom loaders, so the three are given together and
 * TORGAI_ALLOW_PRIVATE_NETWORK alone decides.
 */
import type { KvStore } from "@fedify/fedify";
import {
  type AuthenticatedDocumentLoaderFactory,
  createActivityPubRequest,
  type DocumentLoader,
  type DocumentLoaderFactory,
  FetchError,
  getRemoteDocument,
  preloadedContexts,
  type RemoteDocument,
} from "@fedify/fedify/runtime";
import { getAuthenticatedDocumentLoader, kvCache } from "@fedify/fedify/utils";
import type { Config } from "../config.ts";
import { MAX_REDIRECTS } from "./outbound-dispatcher.ts";

/** At most this many `Link: rel=alternate` hops from an HTML page to its JSON-LD. */
const MAX_ALTERNATES = 2;

/**
 * A Fedify document (and context) loader factory on a guarded fetch: Fedify's preloaded JSON-LD
 * contexts answer without a request; everything else is fetched through `fetch`, with redirects and
 * caps as the guard applies them. With `kv`, documents are cached as Fedify's own loader caches
 * them (Fedify does not cache a loader it did not build).
 */
export function documentLoaderFactory(fetch: typeof globalThis.fetch, kv?: KvStore): DocumentLoaderFactory {
  return (factoryOptions = {}) => {
    const load = async (
      url: string,
      signal: AbortSignal | undefined,
      alternates: number,
    ): Promise<RemoteDocument> => {
      signal?.throwIfAborted();
      const href = new URL(url).href;
      if (Object.hasOwn(preloadedContexts, href)) {
        return { contextUrl: null, document: preloadedContexts[href], documentUrl: href };
      }
      const request = createActivityPubRequest(href, { userAgent: factoryOptions.userAgent });
      // Fedify builds the request for manual redirects; the guard follows them, checking each hop
      const response = await fetch(request, { redirect: "follow", ...(signal ? { signal } : {}) });
      return getRemoteDocument(href, response, (alternate) => {
        if (alternates >= MAX_ALTERNATES) {
          return Promise.reject(new FetchError(alternate, `more than ${MAX_ALTERNATES} alternate links`));
        }
        return load(alternate, signal, alternates + 1);
      });
    };
    const loader: DocumentLoader = (url, options) => load(url, options?.signal, 0);
    return kv ? kvCache({ loader, kv, prefix: ["_fedify", "remoteDocument"] }) : loader;
  };
}

/**
 * Signed fetches (authorized fetch, with Fedify's double-knocking between RFC 9421 and
 * draft-cavage) stay Fedify's: its signing loader cannot take our fetch, so it runs on the global
 * fetch, which `installFetchGuard` puts on the guarded dispatcher (address checks at connect time,
 * time and size caps). Fedify's own DNS pre-check of each hop comes on top unless private networks
 * are allowed.
 */
export function authenticatedDocumentLoaderFactory(
  config: Pick<Config, "allowPrivateNetwork">,
): AuthenticatedDocumentLoaderFactory {
  return (identity, options = {}) =>
    getAuthenticatedDocumentLoader(identity, {
      userAgent: options.userAgent,
      allowPrivateAddress: config.allowPrivateNetwork,
      maxRedirection: MAX_REDIRECTS,
    });
}
