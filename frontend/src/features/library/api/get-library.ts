import { infiniteQueryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { api, unwrap, type LibraryPage } from "@/lib/api";
import { type LibraryListParams, normalizeLibraryParams, queryKeys } from "@/lib/query-keys";

/** The offset of the next page, or undefined when every item is loaded. */
export function nextOffset(pages: LibraryPage[]): number | undefined {
  const loaded = pages.reduce((n, p) => n + p.items.length, 0);
  const total = pages.length ? pages[pages.length - 1].total : 0;
  const lastEmpty = pages.length > 0 && pages[pages.length - 1].items.length === 0;
  return loaded < total && !lastEmpty ? loaded : undefined;
}

export function libraryQueryOptions(params: LibraryListParams) {
  const { q, sort, limit } = normalizeLibraryParams(params);
  return infiniteQueryOptions({
    queryKey: queryKeys.library.list({ q, sort, limit }),
    initialPageParam: 0,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/library", {
          params: { query: { q: q || undefined, sort, limit, offset: pageParam } },
          signal,
        }),
      ),
    getNextPageParam: (_last, pages) => nextOffset(pages),
  });
}

export function useLibrary(params: LibraryListParams) {
  return useInfiniteQuery(libraryQueryOptions(params));
}
