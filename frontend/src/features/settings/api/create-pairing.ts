import { useMutation } from "@tanstack/react-query";
import { api, type PairingCode } from "@/lib/api";
import { apiError } from "@/lib/errors";
import { localDeadline } from "../lib/countdown";

export interface Pairing extends PairingCode {
  /** When the code expires, on this browser's clock (epoch ms). */
  deadline: number;
}

/** A short, single-use code the extension trades for its token (valid 10 minutes). */
export async function createPairing(): Promise<Pairing> {
  const { data, error, response } = await api.POST("/api/extension/pairing");
  if (!response.ok || !data) throw apiError(response.status, error);
  return { ...data, deadline: localDeadline(data.expires_at, response.headers.get("date"), Date.now()) };
}

export function useCreatePairing() {
  return useMutation({ mutationFn: createPairing });
}
