import type { List } from "../../../store/schema.ts";

export interface MastodonList {
  id: string;
  title: string;
  replies_policy: List["replies_policy"];
  exclusive: boolean;
}

export function serializeList(l: List): MastodonList {
  return { id: l.id, title: l.title, replies_policy: l.replies_policy, exclusive: !!l.exclusive };
}
