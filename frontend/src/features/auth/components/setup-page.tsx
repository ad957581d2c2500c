import { Loader2 } from "lucide-react";
import * as React from "react";
import { InlineError } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { errorMessage } from "@/lib/errors";
import { useSetup } from "../api/setup";
import { AuthLayout } from "./auth-layout";

const USERNAME = /^[A-Za-z0-9_.@-]+$/;

/** First run: the server has no user yet; this creates the administrator. */
export function SetupPage() {
  const setup = useSetup();
  const [username, setUsername] = React.useState("admin");
  const [password, setPassword] = React.useState("");
  const [confirm, setConfirm] = React.useState("");
  const [problem, setProblem] = React.useState<string | null>(null);

  React.useEffect(() => {
    document.title = "Set up · MediaFetcher";
  }, []);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const name = username.trim();
    if (!USERNAME.test(name)) return setProblem("Use letters, digits and . _ @ - for the username.");
    if (password.length < 8) return setProblem("The password needs at least 8 characters.");
    if (password !== confirm) return setProblem("The two passwords are not the same.");
    setProblem(null);
    setup.mutate({ username: name, password });
  };

  const error = problem ?? (setup.isError ? errorMessage(setup.error) : null);
  return (
    <AuthLayout title="Set up MediaFetcher" subtitle="Create the administrator account for this server">
      <form onSubmit={submit} className="grid gap-4" noValidate>
        <div className="grid gap-2">
          <Label htmlFor="setup-username">Username</Label>
          <Input id="setup-username" autoComplete="username" autoCapitalize="none" spellCheck={false} value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
        </div>
        <div className="grid gap-2">
          <Label htmlFor="setup-password">Password</Label>
          <Input id="setup-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} aria-describedby="setup-password-hint" />
          <p id="setup-password-hint" className="text-xs text-muted-foreground">At least 8 characters.</p>
        </div>
        <div className="grid gap-2">
          <Label htmlFor="setup-confirm">Repeat the password</Label>
          <Input id="setup-confirm" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
        </div>
        <InlineError>{error}</InlineError>
        <Button type="submit" size="lg" disabled={setup.isPending}>
          {setup.isPending ? <Loader2 className="animate-spin" /> : null}
          Create account and sign in
        </Button>
      </form>
    </AuthLayout>
  );
}
