import { KeySquare, Trash2 } from "lucide-react";
import * as React from "react";
import { toast } from "sonner";
import { ErrorState } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Skeleton } from "@/components/ui/skeleton";
import type { ExtensionToken } from "@/lib/api";
import { formatRelative } from "@/lib/format";
import { useTokens } from "../api/get-tokens";
import { useRevokeToken } from "../api/revoke-token";

export function TokensCard() {
  const tokens = useTokens();
  const revoke = useRevokeToken();
  const [pending, setPending] = React.useState<ExtensionToken | null>(null);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Extension tokens</CardTitle>
        <CardDescription>Each paired browser holds one. Revoke a token to cut that browser off at once.</CardDescription>
      </CardHeader>
      <CardContent>
        {tokens.isPending ? (
          <div className="grid gap-2">{[0, 1].map((i) => <Skeleton key={i} className="h-14" />)}</div>
        ) : tokens.isError ? (
          <ErrorState error={tokens.error} onRetry={() => tokens.refetch()} />
        ) : tokens.data.length === 0 ? (
          <p className="flex items-center gap-2 rounded-lg bg-muted/50 px-3 py-3 text-sm text-muted-foreground">
            <KeySquare className="size-4" /> No extension is paired yet.
          </p>
        ) : (
          <ul className="divide-y rounded-lg border" aria-label="Extension tokens">
            {tokens.data.map((t) => (
              <li key={t.id} className="flex flex-wrap items-center gap-x-4 gap-y-2 px-3 py-3 sm:px-4">
                <div className="min-w-0 flex-1">
                  <p className="flex flex-wrap items-center gap-2 font-medium">
                    <span className="truncate">{t.name}</span>
                    <code className="rounded bg-muted px-1.5 py-0.5 font-mono text-xs text-muted-foreground">{t.prefix}…</code>
                  </p>
                  <p className="mt-1 flex flex-wrap items-center gap-1.5 text-xs text-muted-foreground">
                    {t.scopes.map((s) => (
                      <Badge key={s} variant="secondary">{s}</Badge>
                    ))}
                    <span>· added {formatRelative(t.created_at)}</span>
                    <span>· {t.last_used_at ? `last used ${formatRelative(t.last_used_at)}` : "never used"}</span>
                  </p>
                </div>
                <Button variant="ghost" size="sm" className="text-destructive hover:bg-destructive/10 hover:text-destructive" onClick={() => setPending(t)} aria-label={`Revoke ${t.name}`}>
                  <Trash2 /> Revoke
                </Button>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(o) => !o && setPending(null)}
        destructive
        confirmLabel="Revoke"
        title={`Revoke “${pending?.name ?? ""}”?`}
        description="The browser using this token can no longer send links or cookies. Pair it again to reconnect it."
        onConfirm={() => {
          const t = pending;
          setPending(null);
          if (t) revoke.mutate(t.id, { onSuccess: () => toast.success(`Revoked “${t.name}”`) });
        }}
      />
    </Card>
  );
}
