import { ArrowLeft, Download, ExternalLink, Film, Loader2, Trash2 } from "lucide-react";
import * as React from "react";
import { Link, useNavigate, useParams } from "react-router";
import { toast } from "sonner";
import { EmptyState, ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Skeleton } from "@/components/ui/skeleton";
import type { LibraryItem } from "@/lib/api";
import { ApiError } from "@/lib/errors";
import { formatBytes, formatDateTime, formatDuration, formatResolution, siteOf } from "@/lib/format";
import { useDeleteItem } from "../api/delete-item";
import { useItem } from "../api/get-item";
import { actionForKey, seekTarget } from "../lib/shortcuts";
import { ShortcutsHelp } from "./shortcuts-help";

function useShortcuts(video: React.RefObject<HTMLVideoElement | null>, flash: (text: string) => void) {
  React.useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const v = video.current;
      if (!v || e.defaultPrevented) return;
      const target = e.target as HTMLElement | null;
      const action = actionForKey({
        key: e.key,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        altKey: e.altKey,
        targetTag: target && target !== v ? target.tagName : undefined,
        targetEditable: Boolean(target?.isContentEditable),
      });
      if (!action || document.querySelector("[role=dialog],[role=alertdialog]")) return;
      e.preventDefault();
      switch (action.type) {
        case "toggle":
          if (v.paused) void v.play().catch(() => undefined);
          else v.pause();
          break;
        case "seek":
          v.currentTime = seekTarget(v.currentTime, action.by, v.duration);
          flash(`${action.by > 0 ? "+" : "−"}${Math.abs(action.by)} s`);
          break;
        case "fullscreen":
          if (document.fullscreenElement) void document.exitFullscreen();
          else if (v.requestFullscreen) void v.requestFullscreen().catch(() => undefined);
          else (v as HTMLVideoElement & { webkitEnterFullscreen?: () => void }).webkitEnterFullscreen?.();
          break;
        case "mute":
          v.muted = !v.muted;
          flash(v.muted ? "Muted" : "Sound on");
          break;
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [video, flash]);
}

function Details({ item }: { item: LibraryItem }) {
  const source = item.webpage_url || item.source_url;
  const codecs = [item.video_codec, item.audio_codec].filter(Boolean).join(" / ");
  const rows: [string, React.ReactNode][] = [
    ["Duration", formatDuration(item.duration) || "—"],
    ["Size", formatBytes(item.size)],
    ["Resolution", formatResolution(item.width, item.height) || "—"],
    ["Codecs", codecs ? <span className="font-mono text-xs uppercase">{codecs}</span> : "—"],
    ["Container", item.container ? <span className="uppercase">{item.container}</span> : "—"],
    ["Added", formatDateTime(item.created_at)],
  ];
  if (item.uploader) rows.splice(0, 0, ["Uploader", item.uploader]);
  return (
    <div className="rounded-xl border bg-card p-5">
      <h2 className="mb-4 text-sm font-semibold">Details</h2>
      <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2.5 text-sm">
        {rows.map(([k, v]) => (
          <React.Fragment key={k}>
            <dt className="text-muted-foreground">{k}</dt>
            <dd className="min-w-0 tabular-nums">{v}</dd>
          </React.Fragment>
        ))}
        <dt className="text-muted-foreground">Source</dt>
        <dd className="min-w-0">
          <a href={source} target="_blank" rel="noreferrer noopener" className="inline-flex max-w-full items-center gap-1 text-primary hover:underline">
            <span className="truncate">{siteOf(source) || source}</span>
            <ExternalLink className="size-3.5 shrink-0" />
          </a>
        </dd>
        <dt className="text-muted-foreground">SHA-256</dt>
        <dd className="min-w-0 truncate font-mono text-xs" title={item.sha256}>
          {item.sha256.slice(0, 16)}…
        </dd>
      </dl>
    </div>
  );
}

export function PlayerPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const item = useItem(id);
  const del = useDeleteItem();
  const videoRef = React.useRef<HTMLVideoElement>(null);
  const [confirming, setConfirming] = React.useState(false);
  const [playError, setPlayError] = React.useState(false);
  const [flashText, setFlashText] = React.useState<string | null>(null);
  const flashTimer = React.useRef<ReturnType<typeof setTimeout>>(undefined);
  // The signed stream link is pinned per item: a background refetch (a newer link) must not
  // swap <video src> mid-play. Only a failed load switches to a fresh link, at the same time.
  const [src, setSrc] = React.useState<{ id: string; url: string } | null>(null);
  const resumeAt = React.useRef<number | null>(null);
  if (item.data && (!src || src.id !== item.data.id)) setSrc({ id: item.data.id, url: item.data.stream_url });

  const onVideoError = async () => {
    const v = videoRef.current;
    const fresh = await item.refetch();
    if (fresh.data && src && fresh.data.stream_url !== src.url) {
      resumeAt.current = v?.currentTime ?? null;
      setSrc({ id: fresh.data.id, url: fresh.data.stream_url });
    } else {
      setPlayError(true);
    }
  };

  const flash = React.useCallback((text: string) => {
    setFlashText(text);
    clearTimeout(flashTimer.current);
    flashTimer.current = setTimeout(() => setFlashText(null), 700);
  }, []);
  useShortcuts(videoRef, flash);

  React.useEffect(() => {
    document.title = item.data ? `${item.data.title} · MediaFetcher` : "Player · MediaFetcher";
  }, [item.data]);

  if (item.isPending) {
    return (
      <div className="mx-auto w-full max-w-6xl" aria-label="Loading">
        <Skeleton className="aspect-video w-full rounded-2xl" />
        <Skeleton className="mt-5 h-7 w-2/3" />
        <Skeleton className="mt-3 h-4 w-1/3" />
      </div>
    );
  }
  if (item.isError) {
    if (item.error instanceof ApiError && (item.error.status === 404 || item.error.status === 422)) {
      return (
        <EmptyState icon={Film} title="This item is not in your library" action={<Button asChild><Link to="/library">Back to the library</Link></Button>}>
          It may have been deleted, or the link is wrong.
        </EmptyState>
      );
    }
    return <ErrorState error={item.error} title="This item could not be loaded" onRetry={() => item.refetch()} />;
  }

  const data = item.data;
  const remove = () => {
    setConfirming(false);
    del.mutate(data.id, {
      onSuccess: () => {
        toast.success(`Deleted “${data.title}”`);
        navigate("/library", { replace: true });
      },
    });
  };

  return (
    <div className="mx-auto w-full max-w-6xl">
      <Link to="/library" className="mb-4 inline-flex items-center gap-1.5 rounded-md text-sm text-muted-foreground outline-none hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring">
        <ArrowLeft className="size-4" /> Library
      </Link>
      <div className="relative -mx-4 overflow-hidden bg-black sm:mx-0 sm:rounded-2xl sm:shadow-lg">
        <video
          ref={videoRef}
          key={data.id}
          className="aspect-video w-full bg-black"
          src={src?.url ?? data.stream_url}
          poster={data.thumbnail_url ?? undefined}
          controls
          playsInline
          preload="metadata"
          onError={() => void onVideoError()}
          onLoadedMetadata={(e) => {
            setPlayError(false);
            if (resumeAt.current) e.currentTarget.currentTime = resumeAt.current;
            resumeAt.current = null;
          }}
          data-testid="player-video"
        >
          Your browser cannot play this video. <a href={data.download_url}>Download it</a> instead.
        </video>
        {flashText ? (
          <div aria-live="polite" className="pointer-events-none absolute top-1/2 left-1/2 -translate-x-1/2 -translate-y-1/2 rounded-xl bg-black/70 px-4 py-2 text-lg font-semibold text-white">
            {flashText}
          </div>
        ) : null}
      </div>
      {playError ? (
        <p role="alert" className="mt-3 rounded-lg bg-destructive/8 px-3 py-2 text-sm text-destructive">
          This video could not be played in this browser. Download the original to watch it in another player.
        </p>
      ) : null}

      <div className="mt-5 grid gap-6 lg:grid-cols-[1fr_20rem]">
        <div className="min-w-0">
          <h1 className="text-xl leading-snug font-semibold tracking-tight break-words sm:text-2xl">{data.title}</h1>
          <p className="mt-1 text-sm text-muted-foreground">
            {[formatDuration(data.duration), formatResolution(data.width, data.height), formatBytes(data.size)].filter(Boolean).join(" · ")}
          </p>
          <div className="mt-4 flex flex-wrap items-center gap-2">
            <Button asChild>
              <a href={data.download_url} download>
                <Download /> Download original
              </a>
            </Button>
            <Button asChild variant="outline">
              <a href={data.webpage_url || data.source_url} target="_blank" rel="noreferrer noopener">
                <ExternalLink /> Source
              </a>
            </Button>
            <ShortcutsHelp />
            <Button variant="ghost" className="text-destructive hover:bg-destructive/10 hover:text-destructive" onClick={() => setConfirming(true)} disabled={del.isPending}>
              {del.isPending ? <Loader2 className="animate-spin" /> : <Trash2 />} Delete
            </Button>
          </div>
        </div>
        <Details item={data} />
      </div>

      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        destructive
        confirmLabel="Delete"
        title="Delete this item?"
        description={`“${data.title}” will be removed from your library and its file deleted from the server unless another item uses it. This cannot be undone.`}
        onConfirm={remove}
      />
    </div>
  );
}
