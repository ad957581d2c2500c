import { Loader2, Plus, Rss, ServerOff } from "lucide-react";
import * as React from "react";
import { toast } from "sonner";
import { PageHeader } from "@/components/page-header";
import { EmptyState, ErrorState, InlineError } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { errorMessage } from "@/lib/errors";
import { useAddFeed } from "../api/add-feed";
import { feedsUnavailable, useFeeds } from "../api/get-feeds";
import { FeedCard } from "./feed-card";

function AddFeedForm() {
  const add = useAddFeed();
  const [url, setUrl] = React.useState("");
  const [auto, setAuto] = React.useState(false);
  const [backlog, setBacklog] = React.useState(false);
  const [interval, setPollEvery] = React.useState("3600");
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!url.trim()) return;
    add.mutate(
      { url: url.trim(), auto_download: auto, backlog: auto && backlog, interval_s: Number(interval) },
      {
        onSuccess: () => {
          setUrl("");
          toast.success("Feed added");
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="grid gap-3 rounded-xl border bg-card p-4 shadow-xs sm:p-5" aria-label="Add a feed">
      <label htmlFor="feed-url" className="text-sm font-medium">
        Follow a channel, playlist or RSS/Atom feed
      </label>
      <div className="flex flex-col gap-2 sm:flex-row">
        <Input id="feed-url" type="url" inputMode="url" placeholder="https://…" value={url} onChange={(e) => setUrl(e.target.value)} />
        <Button type="submit" disabled={add.isPending || !url.trim()}>
          {add.isPending ? <Loader2 className="animate-spin" /> : <Plus />} Add feed
        </Button>
      </div>
      <div className="flex flex-wrap items-center gap-x-6 gap-y-3">
        <div className="flex items-center gap-2">
          <Switch id="feed-auto" checked={auto} onCheckedChange={setAuto} />
          <label htmlFor="feed-auto" className="text-sm text-muted-foreground">
            Download new items automatically
          </label>
        </div>
        {auto ? (
          <div className="flex items-center gap-2">
            <Switch id="feed-backlog" checked={backlog} onCheckedChange={setBacklog} />
            <label htmlFor="feed-backlog" className="text-sm text-muted-foreground">
              Also what it lists now
            </label>
          </div>
        ) : null}
        <div className="flex items-center gap-2">
          <label htmlFor="feed-interval" className="text-sm text-muted-foreground">
            Check
          </label>
          <Select value={interval} onValueChange={setPollEvery}>
            <SelectTrigger id="feed-interval" className="h-8 w-36">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="900">every 15 min</SelectItem>
              <SelectItem value="3600">hourly</SelectItem>
              <SelectItem value="21600">every 6 h</SelectItem>
              <SelectItem value="86400">daily</SelectItem>
            </SelectContent>
          </Select>
        </div>
      </div>
      <InlineError>{add.isError ? errorMessage(add.error) : null}</InlineError>
    </form>
  );
}

export function FeedsPage() {
  const feeds = useFeeds();
  React.useEffect(() => {
    document.title = "Feeds · MediaFetcher";
  }, []);

  if (feeds.isError && feedsUnavailable(feeds.error)) {
    return (
      <div className="mx-auto w-full max-w-4xl">
        <PageHeader title="Feeds" description="Follow channels and playlists; new videos arrive on their own." />
        <EmptyState icon={ServerOff} title="Feeds are not available on this server yet" className="border-solid bg-card">
          This MediaFetcher server does not offer feed subscriptions yet. They arrive with a later update of the
          server; until then, paste links on the Dashboard or send them from the browser extension.
        </EmptyState>
      </div>
    );
  }

  return (
    <div className="mx-auto w-full max-w-4xl">
      <PageHeader title="Feeds" description="Follow channels and playlists; new videos arrive on their own." />
      <AddFeedForm />
      <div className="mt-6">
        {feeds.isPending ? (
          <div className="grid gap-3">
            {[0, 1].map((i) => <Skeleton key={i} className="h-32 rounded-xl" />)}
          </div>
        ) : feeds.isError ? (
          <ErrorState error={feeds.error} title="Your feeds could not be loaded" onRetry={() => feeds.refetch()} />
        ) : feeds.data.length === 0 ? (
          <EmptyState icon={Rss} title="No feeds yet">
            Add a YouTube channel or playlist, or any RSS, Atom or JSON feed above. MediaFetcher checks it regularly and lists
            new items here; turn on auto-download to fetch them as they appear.
          </EmptyState>
        ) : (
          <ul className="grid gap-3">
            {feeds.data.map((feed) => (
              <FeedCard key={feed.id} feed={feed} />
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
