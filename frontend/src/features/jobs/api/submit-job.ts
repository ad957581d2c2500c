import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";
import { applyJobEvent } from "./get-jobs";

export function submitJob(url: string) {
  return unwrap(api.POST("/api/jobs", { body: { url } }));
}

export function useSubmitJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: submitJob,
    meta: { silent: true }, // the form shows the reason inline
    onSuccess: (job) => {
      applyJobEvent(queryClient, job);
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.all });
    },
  });
}
