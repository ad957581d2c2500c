import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { ApiError } from "@/lib/errors";
import { queryKeys } from "@/lib/query-keys";

export interface DeleteResult {
  deleted: string[];
  failed: { id: string; error: unknown }[];
}

/** Delete items (a few at a time); reports each failure instead of stopping at the first. */
export async function deleteItems(ids: string[], concurrency = 4): Promise<DeleteResult> {
  const result: DeleteResult = { deleted: [], failed: [] };
  const queue = ids.slice();
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        await unwrap(api.DELETE("/api/library/{item_id}", { params: { path: { item_id: id } } }));
        result.deleted.push(id);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) result.deleted.push(id); // already gone
        else result.failed.push({ id, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  return result;
}

export function useDeleteItems() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (ids: string[]) => deleteItems(ids),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.library.all }),
  });
}
