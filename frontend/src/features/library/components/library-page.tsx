import { Library, Loader2, Puzzle, Search, Trash2, X } from "lucide-react";
import * as React from "react";
import { Link, useSearchParams } from "react-router";
import { toast } from "sonner";
import { PageHeader } from "@/components/page-header";
import { EmptyState, ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/errors";
import type { LibraryItem } from "@/lib/api";
import type { LibrarySort } from "@/lib/query-keys";
import { useDeleteItems } from "../api/delete-items";
import { useLibrary } from "../api/get-library";
import { useDebounced } from "../lib/use-debounced";
import { useSelection } from "../stores/selection";
import { ItemCard } from "./item-card";

const SORTS: { value: LibrarySort; label: string }[] = [
  { value: "newest", label: "Newest first" },
  { value: "oldest", label: "Oldest first" },
  { value: "title", label: "Title A–Z" },
  { value: "duration", label: "Shortest first" },
];

function isSort(v: string | null): v is LibrarySort {
  return SORTS.some((s) => s.value === v);
}

export function LibraryPage() {
  const [params, setParams] = useSearchParams();
  const sort: LibrarySort = isSort(params.get("sort")) ? (params.get("sort") as LibrarySort) : "newest";
  const [search, setSearch] = React.useState(params.get("q") ?? "");
  const q = useDebounced(search.trim(), 250);
  const library = useLibrary({ q, sort });
  const selection = useSelection();
  const del = useDeleteItems();
  const [pending, setPending] = React.useState<LibraryItem[] | null>(null);
  const sentinel = React.useRef<HTMLDivElement>(null);

  React.useEffect(() => {
    document.title = "Library · MediaFetcher";
    return () => useSelection.getState().clear();
  }, []);

  // Keep the URL in step (shareable, survives reload), without a history entry per keystroke.
  React.useEffect(() => {
    const next = new URLSearchParams(params);
    if (q) next.set("q", q);
    else next.delete("q");
    if (next.toString() !== params.toString()) setParams(next, { replace: true });
  }, [q, params, setParams]);

  const items = React.useMemo(() => library.data?.pages.flatMap((p) => p.items) ?? [], [library.data]);
  const total = library.data?.pages.at(-1)?.total ?? 0;
  const selecting = selection.ids.size > 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = library;

  // Infinite scroll: load the next page as the sentinel nears the viewport.
  React.useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasNextPage) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    }, { rootMargin: "600px" });
    io.observe(el);
    return () => io.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  React.useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && useSelection.getState().ids.size) useSelection.getState().clear();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const confirmDelete = () => {
    const targets = pending ?? [];
    setPending(null);
    del.mutate(
      targets.map((i) => i.id),
      {
        onSuccess: (result) => {
          useSelection.getState().setMany(result.deleted, false);
          if (result.failed.length) {
            toast.error(`${result.failed.length} could not be deleted: ${errorMessage(result.failed[0].error)}`);
          } else {
            toast.success(result.deleted.length === 1 ? `Deleted “${targets[0]?.title ?? "item"}”` : `Deleted ${result.deleted.length} items`);
          }
        },
      },
    );
  };

  const selectedItems = items.filter((i) => selection.ids.has(i.id));
  const allLoadedSelected = items.length > 0 && selectedItems.length === items.length;

  return (
    <div className="mx-auto w-full max-w-7xl">
      <PageHeader
        title="Library"
        description={library.isSuccess ? `${total} ${total === 1 ? "item" : "items"}${q ? ` matching “${q}”` : ""}` : "Everything you have fetched"}
      />

      <div className="mb-5 flex flex-col gap-2 sm:flex-row sm:items-center">
        <div className="relative flex-1">
          <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input
            type="search"
            aria-label="Search the library"
            placeholder="Search titles…"
            className="pl-9"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <Select
          value={sort}
          onValueChange={(v) => {
            const next = new URLSearchParams(params);
            next.set("sort", v);
            setParams(next, { replace: true });
          }}
        >
          <SelectTrigger className="sm:w-48" aria-label="Sort by">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {SORTS.map((s) => (
              <SelectItem key={s.value} value={s.value}>
                {s.label}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </div>

      {selecting ? (
        <div
          className="sticky top-16 z-20 mb-4 flex flex-wrap items-center gap-2 rounded-xl border bg-popover/95 px-3 py-2 shadow-md backdrop-blur md:top-4"
          role="region"
          aria-label="Selection"
        >
          <span className="text-sm font-medium">{selection.ids.size} selected</span>
          <Button variant="ghost" size="sm" onClick={() => selection.setMany(items.map((i) => i.id), !allLoadedSelected)}>
            {allLoadedSelected ? "Select none" : `Select all ${items.length}`}
          </Button>
          <div className="ml-auto flex items-center gap-1">
            <Button variant="ghost" size="sm" onClick={selection.clear}>
              <X /> Clear
            </Button>
            <Button variant="destructive" size="sm" onClick={() => setPending(selectedItems)} disabled={del.isPending}>
              {del.isPending ? <Loader2 className="animate-spin" /> : <Trash2 />} Delete
            </Button>
          </div>
        </div>
      ) : null}

      {library.isPending ? (
        <ul className="grid grid-cols-1 gap-x-4 gap-y-6 min-[420px]:grid-cols-2 md:grid-cols-3 xl:grid-cols-4 2xl:grid-cols-5" aria-label="Loading the library">
          {Array.from({ length: 8 }, (_, i) => (
            <li key={i}>
              <Skeleton className="aspect-video rounded-xl" />
              <Skeleton className="mt-2 h-4 w-4/5" />
              <Skeleton className="mt-1.5 h-3 w-1/2" />
            </li>
          ))}
        </ul>
      ) : library.isError ? (
        <ErrorState error={library.error} title="The library could not be loaded" onRetry={() => library.refetch()} />
      ) : items.length === 0 ? (
        q ? (
          <EmptyState icon={Search} title={`Nothing matches “${q}”`} action={<Button variant="outline" onClick={() => setSearch("")}>Clear the search</Button>}>
            Try fewer or different words.
          </EmptyState>
        ) : (
          <EmptyState
            icon={Library}
            title="Your library is empty"
            action={
              <>
                <Button asChild>
                  <Link to="/">Paste a link</Link>
                </Button>
                <Button asChild variant="outline">
                  <Link to="/settings">
                    <Puzzle /> Pair the extension
                  </Link>
                </Button>
              </>
            }
          >
            Paste a link to a video on the Dashboard, or use “Download This Media” in the MediaFetcher browser
            extension. Finished downloads appear here, ready to play on any device.
          </EmptyState>
        )
      ) : (
        <>
          <ul className="grid grid-cols-1 gap-x-4 gap-y-6 min-[420px]:grid-cols-2 md:grid-cols-3 xl:grid-cols-4 2xl:grid-cols-5" data-testid="library-grid">
            {items.map((item) => (
              <ItemCard
                key={item.id}
                item={item}
                selected={selection.ids.has(item.id)}
                selecting={selecting}
                onToggle={() => selection.toggle(item.id)}
                onDelete={() => setPending([item])}
              />
            ))}
          </ul>
          <div ref={sentinel} className="flex justify-center py-8">
            {hasNextPage ? (
              <Button variant="outline" onClick={() => fetchNextPage()} disabled={isFetchingNextPage}>
                {isFetchingNextPage ? <Loader2 className="animate-spin" /> : null} Load more
              </Button>
            ) : items.length > 12 ? (
              <p className="text-xs text-muted-foreground">That’s everything.</p>
            ) : null}
          </div>
        </>
      )}

      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(open) => !open && setPending(null)}
        destructive
        confirmLabel="Delete"
        title={pending && pending.length > 1 ? `Delete ${pending.length} items?` : "Delete this item?"}
        description={
          pending && pending.length === 1
            ? `“${pending[0].title}” will be removed from your library. The file is deleted from the server unless another library item uses it. This cannot be undone.`
            : "They will be removed from your library, and their files deleted from the server unless other items use them. This cannot be undone."
        }
        onConfirm={confirmDelete}
      />
    </div>
  );
}
