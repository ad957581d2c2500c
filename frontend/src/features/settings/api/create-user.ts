import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";

export function createUser(input: Schemas["NewUser"]) {
  return unwrap(api.POST("/api/users", { body: input }));
}

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    meta: { silent: true },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.settings.users() }),
  });
}
