import { AlertTriangle, ChevronDown, Download, ExternalLink, Loader2, RefreshCw, Rss, Trash2 } from "lucide-react";
import { useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { errorMessage } from "@/lib/errors";
import { formatRelative, siteOf } from "@/lib/format";
import { queryKeys } from "@/lib/query-keys";
import { cn } from "@/lib/utils";
import { useDeleteFeed } from "../api/delete-feed";
import { useDownloadFeedItem } from "../api/download-item";
import { useFeedItems } from "../api/get-feed-items";
import { usePollFeed } from "../api/poll-feed";
import { type Feed, describeInterval } from "../api/types";
import { useUpdateFeed } from "../api/update-feed";

function FeedItems({ feed }: { feed: Feed }) {
  const items = useFeedItems(feed.id, true);
  const download = useDownloadFeedItem();
  if (items.isPending) {
    return (
      <div className="grid gap-2">
        {[0, 1, 2].map((i) => <Skeleton key={i} className="h-10" />)}
      </div>
    );
  }
  if (items.isError) return <p className="text-sm text-destructive">{errorMessage(items.error)}</p>;
  if (!items.data.length) return <p className="text-sm text-muted-foreground">No items found yet. “Check now” looks for new ones.</p>;
  return (
    <ul className="divide-y rounded-lg border">
      {items.data.map((item) => (
        <li key={item.id} className="flex items-center gap-3 px-3 py-2.5">
          <div className="min-w-0 flex-1">
            <a href={item.url} target="_blank" rel="noreferrer noopener" className="block truncate text-sm font-medium hover:text-primary">
              {item.title || item.url}
            </a>
            <p className="text-xs text-muted-foreground">
              {item.published_at ? `published ${formatRelative(item.published_at)}` : item.first_seen_at ? `found ${formatRelative(item.first_seen_at)}` : siteOf(item.url)}
              {item.job_id ? " · downloaded automatically" : ""}
            </p>
          </div>
          <Button
            size="sm"
            variant="outline"
            disabled={download.isPending && download.variables === item.url}
            onClick={() => download.mutate(item.url, { onSuccess: () => toast.success("Added to your downloads") })}
            aria-label={`Download ${item.title || item.url}`}
          >
            <Download /> <span className="hidden sm:inline">Download</span>
          </Button>
        </li>
      ))}
    </ul>
  );
}

export function FeedCard({ feed }: { feed: Feed }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = React.useState(false);
  // Each completed check may have listed new items.
  React.useEffect(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.feeds.items(feed.id) });
  }, [feed.last_polled_at, feed.id, queryClient]);
  const [confirming, setConfirming] = React.useState(false);
  const poll = usePollFeed();
  const update = useUpdateFeed();
  const del = useDeleteFeed();
  const switchId = `auto-${feed.id}`;

  return (
    <li className="rounded-xl border bg-card shadow-xs" data-feed-id={feed.id} aria-label={feed.title || feed.url}>
      <div className="flex flex-wrap items-start gap-3 p-4 sm:p-5">
        <div className="grid size-10 shrink-0 place-items-center rounded-lg bg-primary/10 text-primary">
          <Rss className="size-5" />
        </div>
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <p className="truncate font-medium">{feed.title || siteOf(feed.url)}</p>
            {feed.kind ? <Badge variant="secondary">{feed.kind}</Badge> : null}
          </div>
          <a href={feed.url} target="_blank" rel="noreferrer noopener" className="mt-0.5 inline-flex max-w-full items-center gap-1 text-xs text-muted-foreground hover:text-foreground">
            <span className="truncate">{feed.url}</span> <ExternalLink className="size-3 shrink-0" />
          </a>
          <p className="mt-1 text-xs text-muted-foreground">
            {feed.last_polled_at ? `Checked ${formatRelative(feed.last_polled_at)}` : "Not checked yet"}
            {feed.interval_s ? ` · ${describeInterval(feed.interval_s)}` : ""}
            {feed.item_count != null ? ` · ${feed.item_count} ${feed.item_count === 1 ? "item" : "items"}` : ""}
          </p>
        </div>
        <div className="flex items-center gap-2 max-sm:basis-full max-sm:pl-[52px]">
          <Switch
            id={switchId}
            checked={Boolean(feed.auto_download)}
            onCheckedChange={(v) => update.mutate({ id: feed.id, change: { auto_download: v } })}
          />
          <label htmlFor={switchId} className="text-sm">Auto-download</label>
        </div>
      </div>
      {feed.last_error ? (
        <p className="mx-4 mb-3 flex items-start gap-2 rounded-lg bg-destructive/8 px-3 py-2 text-sm text-destructive sm:mx-5">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" />
          <span>
            Last check failed{feed.last_error_at ? ` ${formatRelative(feed.last_error_at)}` : ""}: {feed.last_error}
            {feed.consecutive_failures && feed.consecutive_failures > 1 ? ` (${feed.consecutive_failures} times in a row; checking less often until it works)` : ""}
          </span>
        </p>
      ) : null}
      <div className="flex flex-wrap items-center gap-1 border-t px-3 py-2">
        <Button variant="ghost" size="sm" onClick={() => setOpen((o) => !o)} aria-expanded={open} aria-controls={`items-${feed.id}`}>
          <ChevronDown className={cn("transition-transform", open && "rotate-180")} /> Items
        </Button>
        <Button variant="ghost" size="sm" onClick={() => poll.mutate(feed.id, { onSuccess: () => toast.success("Feed checked") })} disabled={poll.isPending}>
          {poll.isPending ? <Loader2 className="animate-spin" /> : <RefreshCw />} Check now
        </Button>
        <Button variant="ghost" size="sm" className="ml-auto text-destructive hover:bg-destructive/10 hover:text-destructive" onClick={() => setConfirming(true)}>
          <Trash2 /> Remove
        </Button>
      </div>
      {open ? (
        <div id={`items-${feed.id}`} className="border-t p-4 sm:p-5">
          <FeedItems feed={feed} />
        </div>
      ) : null}
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        destructive
        confirmLabel="Remove"
        title="Remove this feed?"
        description="MediaFetcher stops checking it. Videos already downloaded stay in your library."
        onConfirm={() => {
          setConfirming(false);
          del.mutate(feed.id, { onSuccess: () => toast.success("Feed removed") });
        }}
      />
    </li>
  );
}
