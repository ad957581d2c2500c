// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import type { Job } from "@/lib/api";
import { JobCard } from "./job-card";

function job(over: Partial<Job>): Job {
  return {
    id: "j1",
    url: "https://videos.example.com/watch/1",
    origin: "web",
    status: "queued",
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    ...over,
  } as Job;
}

function renderCard(j: Job) {
  return render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter>
        <ul>
          <JobCard job={j} />
        </ul>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("JobCard", () => {
  afterEach(cleanup);

  it("shows the running stage with percent, speed and ETA, and can be cancelled", () => {
    renderCard(job({ status: "downloading", stage: "download", progress: 42, speed: 2 * 1024 * 1024, eta: 30, title: "A talk" }));
    expect(screen.getByText("A talk")).toBeTruthy();
    expect(screen.getByTestId("job-percent").textContent).toBe("42%");
    expect(screen.getByText(/2 MB\/s · 30 s left/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Cancel A talk" })).toBeTruthy();
    expect(screen.getByRole("progressbar", { name: "Downloading progress" }).getAttribute("aria-valuenow")).toBe("42");
    expect(screen.queryByRole("button", { name: /Retry/ })).toBeNull();
  });

  it("shows why a job failed and offers a retry", () => {
    renderCard(job({ status: "failed", error: "HTTP Error 404: Not Found" }));
    expect(screen.getByTestId("job-error").textContent).toBe("HTTP Error 404: Not Found");
    expect(screen.getByRole("button", { name: /Retry/ })).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Cancel/ })).toBeNull();
  });

  it("links a finished job to the player", () => {
    renderCard(job({ status: "done", item_id: "item-9", title: "Cats" }));
    expect(screen.getByRole("link", { name: "Watch Cats" }).getAttribute("href")).toBe("/watch/item-9");
  });
});
