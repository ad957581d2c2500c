import { Ban, CheckCircle2, Clock, ExternalLink, Loader2, Play, RotateCcw, X, XCircle } from "lucide-react";
import { Link } from "react-router";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Progress } from "@/components/ui/progress";
import type { Job } from "@/lib/api";
import { formatRelative, siteOf } from "@/lib/format";
import { cn } from "@/lib/utils";
import { useCancelJob } from "../api/cancel-job";
import { useRetryJob } from "../api/retry-job";
import { STEPS, describeJob, stepStates } from "../lib/job-view";

function StatusBadge({ job }: { job: Job }) {
  switch (job.status) {
    case "done":
      return <Badge variant="success"><CheckCircle2 /> Done</Badge>;
    case "failed":
      return <Badge variant="destructive"><XCircle /> Failed</Badge>;
    case "cancelled":
      return <Badge variant="secondary"><Ban /> Cancelled</Badge>;
    case "queued":
      return <Badge variant="secondary"><Clock /> Queued</Badge>;
    default:
      return <Badge><Loader2 className="animate-spin" /> {job.status[0].toUpperCase() + job.status.slice(1)}</Badge>;
  }
}

function Stepper({ phase }: { phase: ReturnType<typeof describeJob>["phase"] }) {
  const states = stepStates(phase);
  return (
    <ol className="flex items-center gap-1.5 text-[11px] font-medium text-muted-foreground" aria-label="Stages">
      {STEPS.map((step, i) => (
        <li key={step.phase} className="flex items-center gap-1.5">
          {i > 0 ? <span aria-hidden className={cn("h-px w-3 sm:w-5", states[i] === "upcoming" ? "bg-border" : "bg-primary/60")} /> : null}
          <span
            className={cn(
              "rounded-full px-2 py-0.5",
              states[i] === "done" && "bg-primary/12 text-primary",
              states[i] === "current" && "bg-primary text-primary-foreground",
              states[i] === "upcoming" && "bg-muted",
            )}
            aria-current={states[i] === "current" ? "step" : undefined}
          >
            {step.label}
          </span>
        </li>
      ))}
    </ol>
  );
}

export function JobCard({ job }: { job: Job }) {
  const view = describeJob(job);
  const cancel = useCancelJob();
  const retry = useRetryJob();
  const title = job.title || job.url;
  const site = siteOf(job.url);

  return (
    <li
      className="group rounded-xl border bg-card p-4 shadow-xs transition-colors sm:p-5"
      data-job-id={job.id}
      data-status={job.status}
      aria-label={`${title}: ${view.label}`}
    >
      <div className="flex items-start gap-3">
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <StatusBadge job={job} />
            {site ? <span className="truncate text-xs text-muted-foreground">{site}</span> : null}
            <span className="text-xs text-muted-foreground" title={job.created_at}>· {formatRelative(job.created_at)}</span>
            {job.origin === "extension" ? <Badge variant="outline">from extension</Badge> : null}
          </div>
          <p className="mt-1.5 line-clamp-2 font-medium break-all sm:break-words" title={job.url}>
            {title}
          </p>
        </div>
        <div className="flex shrink-0 items-center gap-1">
          {view.active ? (
            <Button variant="ghost" size="sm" onClick={() => cancel.mutate(job.id)} disabled={cancel.isPending} aria-label={`Cancel ${title}`}>
              <X /> <span className="hidden sm:inline">Cancel</span>
            </Button>
          ) : null}
          {job.status === "failed" || job.status === "cancelled" ? (
            <Button variant="outline" size="sm" onClick={() => retry.mutate(job.id)} disabled={retry.isPending} aria-label={`Retry ${title}`}>
              {retry.isPending ? <Loader2 className="animate-spin" /> : <RotateCcw />} Retry
            </Button>
          ) : null}
          {job.status === "done" && job.item_id ? (
            <Button asChild size="sm" variant="secondary">
              <Link to={`/watch/${job.item_id}`} aria-label={`Watch ${title}`}>
                <Play /> Watch
              </Link>
            </Button>
          ) : null}
          <Button asChild variant="ghost" size="icon-sm" className="hidden sm:inline-flex">
            <a href={job.url} target="_blank" rel="noreferrer noopener" aria-label="Open the source page">
              <ExternalLink />
            </a>
          </Button>
        </div>
      </div>

      {view.active ? (
        <div className="mt-4 grid gap-2">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <Stepper phase={view.phase} />
            <span className="text-xs font-medium tabular-nums" data-testid="job-percent">
              {view.percent != null ? `${view.percent.toFixed(view.percent < 10 ? 1 : 0)}%` : ""}
            </span>
          </div>
          <Progress value={view.percent ?? null} aria-label={`${view.label} progress`} />
          <div className="flex flex-wrap justify-between gap-x-3 text-xs text-muted-foreground">
            <span className="font-medium text-foreground/80">{view.label}</span>
            <span className="tabular-nums">{view.detail}</span>
          </div>
        </div>
      ) : null}

      {job.status === "failed" ? (
        <p className="mt-3 rounded-lg bg-destructive/8 px-3 py-2 text-sm text-destructive" data-testid="job-error">
          {view.detail}
        </p>
      ) : null}
      {job.status === "cancelled" && view.detail ? <p className="mt-2 text-sm text-muted-foreground">{view.detail}</p> : null}
    </li>
  );
}
