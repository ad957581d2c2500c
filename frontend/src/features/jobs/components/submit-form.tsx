import { ArrowRight, Link2, Loader2 } from "lucide-react";
import * as React from "react";
import { toast } from "sonner";
import { InlineError } from "@/components/states";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/errors";
import { useSubmitJob } from "../api/submit-job";

/** Where to paste a link: Enter (or the button) submits it as a job. */
export function SubmitForm() {
  const submit = useSubmitJob();
  const [url, setUrl] = React.useState("");
  const [problem, setProblem] = React.useState<string | null>(null);
  const inputRef = React.useRef<HTMLInputElement>(null);

  const send = (e: React.FormEvent) => {
    e.preventDefault();
    const value = url.trim();
    if (!value) return;
    if (!/^https?:\/\//i.test(value)) {
      setProblem("Paste a full link that starts with http:// or https://.");
      return;
    }
    setProblem(null);
    submit.mutate(value, {
      onSuccess: () => {
        setUrl("");
        toast.success("Added to your downloads");
        inputRef.current?.focus();
      },
    });
  };

  const error = problem ?? (submit.isError ? errorMessage(submit.error) : null);
  return (
    <form onSubmit={send} className="grid gap-2" aria-label="Download a link">
      <label htmlFor="submit-url" className="sr-only">
        Link to a video
      </label>
      <div className="flex flex-col gap-2 rounded-2xl border bg-card p-2 shadow-sm transition-shadow focus-within:border-ring focus-within:ring-2 focus-within:ring-ring/30 sm:flex-row sm:items-center">
        <div className="flex min-w-0 flex-1 items-center gap-2 pl-2">
          <Link2 className="size-5 shrink-0 text-muted-foreground" aria-hidden />
          <input
            ref={inputRef}
            id="submit-url"
            name="url"
            type="url"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            placeholder="Paste a link to a video page or file…"
            className="h-11 w-full min-w-0 bg-transparent text-base outline-none placeholder:text-muted-foreground"
            value={url}
            onChange={(e) => {
              setUrl(e.target.value);
              if (problem) setProblem(null);
              if (submit.isError) submit.reset();
            }}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "submit-error" : "submit-hint"}
          />
        </div>
        <Button type="submit" size="lg" className="rounded-xl" disabled={submit.isPending || !url.trim()}>
          {submit.isPending ? <Loader2 className="animate-spin" /> : <ArrowRight />}
          Fetch
        </Button>
      </div>
      {error ? (
        <InlineError id="submit-error">{error}</InlineError>
      ) : (
        <p id="submit-hint" className="px-2 text-xs text-muted-foreground">
          Press Enter to start. Works with video pages, direct media files and HLS/DASH streams.
        </p>
      )}
    </form>
  );
}
