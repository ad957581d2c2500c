import { CheckCircle2, Copy, KeyRound, Loader2, RefreshCw } from "lucide-react";
import * as React from "react";
import { toast } from "sonner";
import { InlineError } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { errorMessage } from "@/lib/errors";
import { formatCountdown } from "@/lib/format";
import { useCreatePairing } from "../api/create-pairing";
import { useTokens } from "../api/get-tokens";
import { secondsLeft } from "../lib/countdown";

const SCOPE_WORDS: Record<string, string> = { submit: "send links", cookies: "send cookie jars" };

function scopeWords(scopes: string[]): string {
  const words = scopes.map((s) => SCOPE_WORDS[s] ?? s);
  return words.length > 1 ? `${words.slice(0, -1).join(", ")} and ${words.at(-1)}` : (words[0] ?? "");
}

function useNow(active: boolean): number {
  const [now, setNow] = React.useState(() => Date.now());
  React.useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

/** Pairing: a short code shown big, counting down; the extension's options page takes it. */
export function PairingCard() {
  const pairing = useCreatePairing();
  const code = pairing.data;
  const now = useNow(Boolean(code));
  const left = code ? secondsLeft(code.deadline, now) : 0;
  const live = Boolean(code) && left > 0;
  const tokens = useTokens(live);
  const known = React.useRef<Set<string> | null>(null);
  const [paired, setPaired] = React.useState<string | null>(null);

  // When a token appears while the code is shown, the extension has just paired.
  React.useEffect(() => {
    if (!tokens.data) return;
    const ids = new Set(tokens.data.map((t) => t.id));
    if (live && known.current) {
      const fresh = tokens.data.find((t) => !known.current!.has(t.id));
      if (fresh) {
        setPaired(fresh.name);
        pairing.reset();
        toast.success(`Paired “${fresh.name}”`);
      }
    }
    known.current = ids;
  }, [tokens.data, live, pairing]);

  const copy = async () => {
    if (!code) return;
    try {
      await navigator.clipboard.writeText(code.code);
      toast.success("Code copied");
    } catch {
      toast.error("Copying is blocked here; type the code instead.");
    }
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>Pair the browser extension</CardTitle>
        <CardDescription>
          Open the MediaFetcher extension’s options, enter this server’s address and the code below. No secret to copy
          by hand: the code works once and expires in 10 minutes.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {live && code ? (
          <div className="flex flex-col items-center gap-3 rounded-xl border border-dashed bg-muted/40 px-4 py-6 text-center" data-testid="pairing">
            <p className="text-xs font-medium tracking-wide text-muted-foreground uppercase">Pairing code</p>
            <p className="font-mono text-3xl font-bold tracking-[0.12em] whitespace-nowrap select-all min-[400px]:text-4xl sm:text-5xl sm:tracking-[0.2em]" aria-live="polite" data-testid="pairing-code">
              {code.code}
            </p>
            <p className="text-sm text-muted-foreground" aria-live="off">
              Expires in <span className="font-medium text-foreground tabular-nums" data-testid="pairing-countdown">{formatCountdown(left)}</span>
              {" · "}lets the extension {scopeWords(code.scopes)}
            </p>
            <div className="flex flex-wrap justify-center gap-2">
              <Button variant="outline" size="sm" onClick={copy}>
                <Copy /> Copy
              </Button>
              <Button variant="ghost" size="sm" onClick={() => pairing.mutate()} disabled={pairing.isPending}>
                <RefreshCw /> New code
              </Button>
            </div>
          </div>
        ) : (
          <div className="flex flex-wrap items-center gap-3">
            <Button onClick={() => { setPaired(null); pairing.mutate(); }} disabled={pairing.isPending}>
              {pairing.isPending ? <Loader2 className="animate-spin" /> : <KeyRound />}
              {code ? "The code expired: make a new one" : "Show a pairing code"}
            </Button>
            {paired ? (
              <p className="flex items-center gap-1.5 text-sm text-success">
                <CheckCircle2 className="size-4" /> “{paired}” is paired.
              </p>
            ) : null}
          </div>
        )}
        <div className="mt-3">
          <InlineError>{pairing.isError ? errorMessage(pairing.error) : null}</InlineError>
        </div>
      </CardContent>
    </Card>
  );
}
