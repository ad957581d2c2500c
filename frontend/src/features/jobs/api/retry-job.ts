import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";
import { applyJobEvent } from "./get-jobs";

/** Retrying makes a new job for the same URL (the failed one stays as a record). */
export function retryJob(id: string) {
  return unwrap(api.POST("/api/jobs/{job_id}/retry", { params: { path: { job_id: id } } }));
}

export function useRetryJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: retryJob,
    onSuccess: (job) => {
      applyJobEvent(queryClient, job);
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.all });
    },
  });
}
