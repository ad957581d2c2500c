import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

/**
 * One row per site whose cookies the extension sent. The gateway declares this response as
 * a list of plain objects (no response model yet), so the shape is spelled out here.
 */
export interface CookieJar {
  site: string;
  count: number;
  earliest_expiry: string | null;
  updated_at: string | null;
}

export function toCookieJars(rows: Record<string, unknown>[]): CookieJar[] {
  return rows
    .filter((r) => typeof r.site === "string")
    .map((r) => ({
      site: r.site as string,
      count: typeof r.count === "number" ? r.count : 0,
      earliest_expiry: typeof r.earliest_expiry === "string" ? r.earliest_expiry : null,
      updated_at: typeof r.updated_at === "string" ? r.updated_at : null,
    }));
}

export const cookieJarsQueryOptions = queryOptions({
  queryKey: queryKeys.settings.cookies(),
  queryFn: async ({ signal }) => toCookieJars(await unwrap(api.GET("/api/cookies", { signal }))),
});

export function useCookieJars() {
  return useQuery(cookieJarsQueryOptions);
}
