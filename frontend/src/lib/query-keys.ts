/**
 * Query-key factories for every server resource. Keys are hierarchical so that one
 * invalidation covers a family (e.g. `library.all` covers every list page and item), and
 * list parameters are normalised so equal queries share one cache entry.
 */

export type LibrarySort = "newest" | "oldest" | "title" | "duration";

export interface LibraryListParams {
  q?: string;
  sort?: LibrarySort;
  limit?: number;
  offset?: number;
}

export const LIBRARY_PAGE_SIZE = 48;

/** Drop empty search, trim it, and fill defaults: {q:" "} and {} are the same query. */
export function normalizeLibraryParams(p: LibraryListParams = {}): Required<Omit<LibraryListParams, "q">> & { q: string } {
  return {
    q: (p.q ?? "").trim(),
    sort: p.sort ?? "newest",
    limit: p.limit ?? LIBRARY_PAGE_SIZE,
    offset: Math.max(0, p.offset ?? 0),
  };
}

export const queryKeys = {
  setup: () => ["setup"] as const,
  me: () => ["auth", "me"] as const,
  jobs: {
    all: ["jobs"] as const,
    list: () => ["jobs", "list"] as const,
  },
  library: {
    all: ["library"] as const,
    lists: () => ["library", "list"] as const,
    list: (p: LibraryListParams = {}) => {
      const { q, sort, limit } = normalizeLibraryParams(p);
      return ["library", "list", { q, sort, limit }] as const; // pages (offsets) live inside
    },
    item: (id: string) => ["library", "item", id] as const,
  },
  feeds: {
    all: ["feeds"] as const,
    list: () => ["feeds", "list"] as const,
    items: (feedId: string) => ["feeds", "items", feedId] as const,
  },
  settings: {
    tokens: () => ["settings", "tokens"] as const,
    cookies: () => ["settings", "cookies"] as const,
    users: () => ["settings", "users"] as const,
  },
} as const;
