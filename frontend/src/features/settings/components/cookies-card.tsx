import { Cookie, Trash2 } from "lucide-react";
import * as React from "react";
import { toast } from "sonner";
import { ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useDeleteCookieJar } from "../api/delete-cookie-jar";
import { useCookieJars } from "../api/get-cookie-jars";

export function CookiesCard() {
  const jars = useCookieJars();
  const del = useDeleteCookieJar();
  const [pending, setPending] = React.useState<string | null>(null);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Cookie jars</CardTitle>
        <CardDescription>
          Cookies the extension sent (“Send Cookie Jar to Server”), so downloads from sites you are signed in to work.
          They are stored encrypted and never shown.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {jars.isPending ? (
          <div className="grid gap-2">{[0, 1].map((i) => <Skeleton key={i} className="h-12" />)}</div>
        ) : jars.isError ? (
          <ErrorState error={jars.error} title="Cookie jars could not be loaded" onRetry={() => jars.refetch()} />
        ) : jars.data.length === 0 ? (
          <p className="flex items-center gap-2 rounded-lg bg-muted/50 px-3 py-3 text-sm text-muted-foreground">
            <Cookie className="size-4" /> No cookies stored. Use “Send Cookie Jar to Server” in the extension on a site you are signed in to.
          </p>
        ) : (
          <ul className="divide-y rounded-lg border" aria-label="Cookie jars">
            {jars.data.map((jar) => {
              const expired = jar.earliest_expiry ? Date.parse(jar.earliest_expiry) < Date.now() : false;
              return (
                <li key={jar.site} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-3 py-3 sm:px-4">
                  <div className="min-w-0 flex-1">
                    <p className="truncate font-medium">{jar.site}</p>
                    <p className="text-xs text-muted-foreground">
                      {jar.count} {jar.count === 1 ? "cookie" : "cookies"}
                      {jar.earliest_expiry ? (
                        <span className={expired ? "text-destructive" : undefined} title={formatDateTime(jar.earliest_expiry)}>
                          {" · "}first expiry {formatRelative(jar.earliest_expiry)}
                        </span>
                      ) : null}
                      {jar.updated_at ? ` · updated ${formatRelative(jar.updated_at)}` : ""}
                    </p>
                  </div>
                  <Button variant="ghost" size="sm" className="text-destructive hover:bg-destructive/10 hover:text-destructive" onClick={() => setPending(jar.site)} aria-label={`Delete cookies for ${jar.site}`}>
                    <Trash2 /> Delete
                  </Button>
                </li>
              );
            })}
          </ul>
        )}
      </CardContent>
      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(o) => !o && setPending(null)}
        destructive
        confirmLabel="Delete"
        title={`Delete the cookies for ${pending ?? ""}?`}
        description="Downloads from this site then run signed out, until the extension sends its cookies again."
        onConfirm={() => {
          const site = pending;
          setPending(null);
          if (site) del.mutate(site, { onSuccess: () => toast.success(`Deleted the cookies for ${site}`) });
        }}
      />
    </Card>
  );
}
