/**
 * The shapes of status rows the read model works with (columns in store/queries/statuses.ts):
 * `StatusView` carries everything a renderer shows, `StatusKey` only what can change without an
 * edit plus the ids hydration needs, for pages whose bodies the renderer may already hold.
 */
export {
  STATUS_KEY_COLUMNS,
  STATUS_VIEW_COLUMNS,
  type StatusKey,
  type StatusView,
} from "../../store/queries/statuses.ts";
