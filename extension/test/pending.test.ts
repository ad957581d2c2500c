import { describe, expect, it } from "vitest";
import {
  addPending, badgeFor, dropPending, finishedFrom, GIVE_UP_MS, MAX_PENDING, partition, type PendingJob,
} from "../src/pending";

const S = "http://mf.lan:8080";
const job = (id: string, since = 1_000, server = S): PendingJob => ({ id, url: `https://v.example/${id}`, server, since });

describe("pending jobs", () => {
  it("adds once per id, newest last", () => {
    let list = addPending([], job("a"));
    list = addPending(list, job("b"));
    list = addPending(list, job("a", 2_000));
    expect(list.map((j) => j.id)).toEqual(["b", "a"]);
    expect(list[1].since).toBe(2_000);
  });

  it("keeps at most MAX_PENDING, dropping the oldest", () => {
    let list: PendingJob[] = [];
    for (let i = 0; i < MAX_PENDING + 5; i++) list = addPending(list, job(String(i)));
    expect(list).toHaveLength(MAX_PENDING);
    expect(list[0].id).toBe("5");
  });

  it("drops by id", () => {
    expect(dropPending([job("a"), job("b")], "a").map((j) => j.id)).toEqual(["b"]);
  });

  it("polls only this server's recent jobs; the rest are stale", () => {
    const list = [job("a", 0), job("b", 0, "http://other"), job("c", -GIVE_UP_MS)];
    const { poll, stale } = partition(list, { server: S, now: 1_000 });
    expect(poll.map((j) => j.id)).toEqual(["a"]);
    expect(stale.map((j) => j.id)).toEqual(["b", "c"]);
  });

  it("when not paired (no server), everything is stale", () => {
    expect(partition([job("a")], { server: null, now: 0 }).poll).toEqual([]);
  });

  it("a running job is not finished", () => {
    for (const status of ["queued", "downloading", "transcoding", "storing"]) {
      expect(finishedFrom({ id: "a", url: "u", status })).toBeNull();
    }
  });

  it("done says Done: <title>, or the URL without one", () => {
    expect(finishedFrom({ id: "a", url: "u", status: "done", title: "A film" }))
      .toEqual({ id: "a", ok: true, status: "done", text: "Done: A film" });
    expect(finishedFrom({ id: "a", url: "https://x/y", status: "done", title: null })!.text).toBe("Done: https://x/y");
  });

  it("failed says Failed: <reason>", () => {
    const f = finishedFrom({ id: "a", url: "u", status: "failed", title: "T", error: "HTTP Error 403" })!;
    expect(f.ok).toBe(false);
    expect(f.text).toBe("Failed: HTTP Error 403 (T)");
    expect(finishedFrom({ id: "a", url: "u", status: "failed" })!.text).toBe("Failed: no reason given (u)");
    expect(finishedFrom({ id: "a", url: "u", status: "cancelled" })!.text).toBe("Cancelled: u");
  });

  it("badge counts unseen results, empty at zero", () => {
    expect(badgeFor(0)).toEqual({ text: "" });
    expect(badgeFor(3)).toEqual({ text: "3" });
    expect(badgeFor(250)).toEqual({ text: "99" });
  });
});
