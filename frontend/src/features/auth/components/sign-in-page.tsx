import { Loader2 } from "lucide-react";
import * as React from "react";
import { InlineError } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { errorMessage } from "@/lib/errors";
import { useAuthStore } from "@/stores/auth";
import { useLogin } from "../api/login";
import { AuthLayout } from "./auth-layout";

export function SignInPage() {
  const notice = useAuthStore((s) => s.notice);
  const login = useLogin();
  const [username, setUsername] = React.useState("");
  const [password, setPassword] = React.useState("");

  React.useEffect(() => {
    document.title = "Sign in · MediaFetcher";
  }, []);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    login.mutate({ username: username.trim(), password });
  };

  return (
    <AuthLayout title="Welcome back" subtitle="Sign in to your MediaFetcher server">
      <form onSubmit={submit} className="grid gap-4" noValidate>
        {notice && !login.isError ? (
          <p className="rounded-lg bg-muted px-3 py-2 text-sm text-muted-foreground" role="status">
            {notice}
          </p>
        ) : null}
        <div className="grid gap-2">
          <Label htmlFor="username">Username</Label>
          <Input
            id="username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="grid gap-2">
          <Label htmlFor="password">Password</Label>
          <Input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={login.isError || undefined}
            aria-describedby={login.isError ? "signin-error" : undefined}
          />
        </div>
        <InlineError id="signin-error">{login.isError ? errorMessage(login.error) : null}</InlineError>
        <Button type="submit" size="lg" disabled={login.isPending || !username.trim() || !password}>
          {login.isPending ? <Loader2 className="animate-spin" /> : null}
          Sign in
        </Button>
      </form>
    </AuthLayout>
  );
}
