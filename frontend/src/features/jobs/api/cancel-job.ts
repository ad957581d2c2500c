import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";
import { applyJobEvent } from "./get-jobs";

export function cancelJob(id: string) {
  return unwrap(api.POST("/api/jobs/{job_id}/cancel", { params: { path: { job_id: id } } }));
}

export function useCancelJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: cancelJob,
    onSuccess: (job) => {
      applyJobEvent(queryClient, job);
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.all });
    },
  });
}
