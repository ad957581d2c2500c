import { queryOptions, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api, unwrap, type Job, type JobList } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";
import { mergeProgress, reconcileJobs, upsertJob, type ProgressEvent } from "../lib/job-cache";

export const JOBS_LIMIT = 50;

export function jobsQueryOptions(queryClient: QueryClient) {
  return queryOptions({
    queryKey: queryKeys.jobs.list(),
    queryFn: async ({ signal }) => {
      const fetched = await unwrap(api.GET("/api/jobs", { params: { query: { limit: JOBS_LIMIT } }, signal }));
      return reconcileJobs(queryClient.getQueryData<JobList>(queryKeys.jobs.list()), fetched);
    },
    staleTime: 60_000,
  });
}

export function useJobs() {
  const queryClient = useQueryClient();
  return useQuery(jobsQueryOptions(queryClient));
}

/** A live `job` event (a full JobOut) into the cache. */
export function applyJobEvent(queryClient: QueryClient, job: Job): void {
  queryClient.setQueryData<JobList>(queryKeys.jobs.list(), (list) => upsertJob(list, job));
}

/** A live `progress` event merged into its job. */
export function applyProgressEvent(queryClient: QueryClient, progress: ProgressEvent): void {
  queryClient.setQueryData<JobList>(queryKeys.jobs.list(), (list) => mergeProgress(list, progress));
}
