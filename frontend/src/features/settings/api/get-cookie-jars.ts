import { queryOptions, useQuery } from "@tanstack/react-query";
import { type Schemas, api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

/** One row per site whose cookies the extension sent (generated from the OpenAPI). */
export type CookieJar = Schemas["CookieSite"];

export const cookieJarsQueryOptions = queryOptions({
  queryKey: queryKeys.settings.cookies(),
  queryFn: async ({ signal }) => unwrap(api.GET("/api/cookies", { signal })),
});

export function useCookieJars() {
  return useQuery(cookieJarsQueryOptions);
}
