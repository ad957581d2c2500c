import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

export function deleteItem(id: string) {
  return unwrap(api.DELETE("/api/library/{item_id}", { params: { path: { item_id: id } } }));
}

export function useDeleteItem() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteItem,
    onSuccess: (_data, id) => {
      queryClient.removeQueries({ queryKey: queryKeys.library.item(id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.library.all });
    },
  });
}
