import { Download, Film, MoreVertical, Trash2 } from "lucide-react";
import * as React from "react";
import { Link } from "react-router";
import { Checkbox } from "@/components/ui/checkbox";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import type { LibraryItem } from "@/lib/api";
import { formatDuration, formatRelative, siteOf } from "@/lib/format";
import { cn } from "@/lib/utils";

export function Thumbnail({ item, className }: { item: LibraryItem; className?: string }) {
  const [broken, setBroken] = React.useState(false);
  if (item.thumbnail_url && !broken) {
    return (
      <img
        src={item.thumbnail_url}
        alt=""
        loading="lazy"
        decoding="async"
        onError={() => setBroken(true)}
        className={cn("size-full object-cover transition-transform duration-300 group-hover:scale-[1.03]", className)}
      />
    );
  }
  return (
    <div className={cn("grid size-full place-items-center bg-gradient-to-br from-primary/15 via-muted to-accent", className)} data-testid="thumb-placeholder">
      <Film className="size-9 text-primary/60" aria-hidden />
    </div>
  );
}

export function ItemCard({
  item,
  selected,
  selecting,
  onToggle,
  onDelete,
}: {
  item: LibraryItem;
  selected: boolean;
  selecting: boolean;
  onToggle: () => void;
  onDelete: () => void;
}) {
  const site = item.extractor && item.extractor.toLowerCase() !== "generic" ? item.extractor : siteOf(item.webpage_url || item.source_url);
  const duration = formatDuration(item.duration);
  return (
    <li className="group relative min-w-0" data-item-id={item.id}>
      <div
        className={cn(
          "relative aspect-video overflow-hidden rounded-xl bg-muted ring-offset-2 ring-offset-background transition-shadow",
          selected && "ring-2 ring-primary",
        )}
      >
        <Link
          to={`/watch/${item.id}`}
          className="block size-full rounded-xl outline-none focus-visible:ring-2 focus-visible:ring-ring"
          aria-label={`Play ${item.title}`}
          onClick={(e) => {
            if (selecting) {
              e.preventDefault();
              onToggle();
            }
          }}
        >
          <Thumbnail item={item} />
          <span className="absolute inset-0 bg-gradient-to-t from-black/25 via-transparent to-transparent opacity-0 transition-opacity group-hover:opacity-100" />
        </Link>
        {duration ? (
          <span className="pointer-events-none absolute right-2 bottom-2 rounded-md bg-black/75 px-1.5 py-0.5 text-[11px] font-medium text-white tabular-nums">
            {duration}
          </span>
        ) : null}
        <div
          className={cn(
            "absolute top-2 left-2 rounded-md bg-background/85 p-1 shadow-sm backdrop-blur transition-opacity",
            selecting || selected ? "opacity-100" : "opacity-0 group-hover:opacity-100 focus-within:opacity-100 [@media(hover:none)]:opacity-100",
          )}
        >
          <Checkbox checked={selected} onCheckedChange={onToggle} aria-label={`Select ${item.title}`} />
        </div>
        <div className="absolute top-2 right-2 opacity-100 transition-opacity sm:opacity-0 sm:group-hover:opacity-100 sm:focus-within:opacity-100 sm:has-[[data-state=open]]:opacity-100">
          <DropdownMenu>
            <DropdownMenuTrigger
              className="grid size-8 cursor-pointer place-items-center rounded-md bg-background/85 text-foreground shadow-sm backdrop-blur outline-none hover:bg-background focus-visible:ring-2 focus-visible:ring-ring"
              aria-label={`More actions for ${item.title}`}
            >
              <MoreVertical className="size-4" />
            </DropdownMenuTrigger>
            <DropdownMenuContent align="end">
              <DropdownMenuItem asChild>
                <a href={item.download_url} download>
                  <Download /> Download original
                </a>
              </DropdownMenuItem>
              <DropdownMenuSeparator />
              <DropdownMenuItem destructive onSelect={onDelete}>
                <Trash2 /> Delete…
              </DropdownMenuItem>
            </DropdownMenuContent>
          </DropdownMenu>
        </div>
      </div>
      <div className="mt-2 px-0.5">
        <Link to={`/watch/${item.id}`} className="line-clamp-2 text-sm leading-snug font-medium outline-none hover:text-primary focus-visible:underline" title={item.title} tabIndex={-1}>
          {item.title}
        </Link>
        <p className="mt-0.5 truncate text-xs text-muted-foreground">
          {site ? <span>{site}</span> : null}
          {site ? " · " : null}
          <span title={item.created_at}>{formatRelative(item.created_at)}</span>
        </p>
      </div>
    </li>
  );
}
