import { DownloadCloud, Puzzle } from "lucide-react";
import * as React from "react";
import { Link } from "react-router";
import { PageHeader } from "@/components/page-header";
import { EmptyState, ErrorState } from "@/components/states";
import { Skeleton } from "@/components/ui/skeleton";
import { useJobs } from "../api/get-jobs";
import { isTerminal } from "../lib/job-cache";
import { JobCard } from "./job-card";
import { SubmitForm } from "./submit-form";

export function DashboardPage() {
  const jobs = useJobs();
  React.useEffect(() => {
    document.title = "Dashboard · MediaFetcher";
  }, []);

  const items = jobs.data?.items ?? [];
  const active = items.filter((j) => !isTerminal(j));
  const finished = items.filter((j) => isTerminal(j));

  return (
    <div className="mx-auto w-full max-w-4xl">
      <PageHeader
        title="Dashboard"
        description="Paste a link: MediaFetcher downloads it, makes it play everywhere and adds it to your library."
      />
      <SubmitForm />

      <div className="mt-8">
        {jobs.isPending ? (
          <div className="grid gap-3" aria-label="Loading downloads">
            {[0, 1, 2].map((i) => (
              <Skeleton key={i} className="h-28 rounded-xl" />
            ))}
          </div>
        ) : jobs.isError ? (
          <ErrorState error={jobs.error} title="Your downloads could not be loaded" onRetry={() => jobs.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState
            icon={DownloadCloud}
            title="Nothing downloaded yet"
            action={
              <Link to="/settings" className="inline-flex items-center gap-1.5 text-sm font-medium text-primary hover:underline">
                <Puzzle className="size-4" /> Pair the browser extension
              </Link>
            }
          >
            Paste a link to a video in the box above and press Enter, or send pages from your browser with the
            MediaFetcher extension’s “Download This Media”.
          </EmptyState>
        ) : (
          <div className="grid gap-8">
            {active.length ? (
              <section aria-labelledby="active-heading">
                <h2 id="active-heading" className="mb-3 flex items-center gap-2 text-sm font-semibold text-muted-foreground">
                  In progress <span className="rounded-full bg-primary/12 px-2 text-xs text-primary">{active.length}</span>
                </h2>
                <ul className="grid gap-3" data-testid="jobs-active">
                  {active.map((job) => (
                    <JobCard key={job.id} job={job} />
                  ))}
                </ul>
              </section>
            ) : null}
            {finished.length ? (
              <section aria-labelledby="recent-heading">
                <h2 id="recent-heading" className="mb-3 text-sm font-semibold text-muted-foreground">
                  Recent
                </h2>
                <ul className="grid gap-3" data-testid="jobs-recent">
                  {finished.map((job) => (
                    <JobCard key={job.id} job={job} />
                  ))}
                </ul>
              </section>
            ) : null}
          </div>
        )}
      </div>
    </div>
  );
}
