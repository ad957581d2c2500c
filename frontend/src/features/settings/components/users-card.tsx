import { Loader2, ShieldCheck, UserPlus } from "lucide-react";
import * as React from "react";
import { toast } from "sonner";
import { ErrorState, InlineError } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { errorMessage } from "@/lib/errors";
import { formatRelative } from "@/lib/format";
import { useCreateUser } from "../api/create-user";
import { useUsers } from "../api/get-users";

function AddUserForm() {
  const create = useCreateUser();
  const [username, setUsername] = React.useState("");
  const [password, setPassword] = React.useState("");
  const [admin, setAdmin] = React.useState(false);
  const [problem, setProblem] = React.useState<string | null>(null);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!/^[A-Za-z0-9_.@-]+$/.test(username.trim())) return setProblem("Use letters, digits and . _ @ - for the username.");
    if (password.length < 8) return setProblem("The password needs at least 8 characters.");
    setProblem(null);
    create.mutate(
      { username: username.trim(), password, is_admin: admin },
      {
        onSuccess: (u) => {
          toast.success(`Added ${u.username}`);
          setUsername("");
          setPassword("");
          setAdmin(false);
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="mt-5 grid gap-3 rounded-lg border bg-muted/30 p-4" aria-label="Add a user">
      <p className="text-sm font-medium">Add a user</p>
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="grid gap-1.5">
          <Label htmlFor="new-username">Username</Label>
          <Input id="new-username" autoComplete="off" autoCapitalize="none" value={username} onChange={(e) => setUsername(e.target.value)} />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="new-password">Password</Label>
          <Input id="new-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </div>
      </div>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex items-center gap-2">
          <Switch id="new-admin" checked={admin} onCheckedChange={setAdmin} />
          <Label htmlFor="new-admin" className="font-normal">Administrator</Label>
        </div>
        <Button type="submit" disabled={create.isPending || !username || !password}>
          {create.isPending ? <Loader2 className="animate-spin" /> : <UserPlus />} Add user
        </Button>
      </div>
      <InlineError>{problem ?? (create.isError ? errorMessage(create.error) : null)}</InlineError>
    </form>
  );
}

export function UsersCard({ isAdmin }: { isAdmin: boolean }) {
  const users = useUsers(isAdmin);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Users</CardTitle>
        <CardDescription>Everyone with an account on this server. Each user has a private library.</CardDescription>
      </CardHeader>
      <CardContent>
        {!isAdmin ? (
          <p className="text-sm text-muted-foreground">Only an administrator can see and add users.</p>
        ) : users.isPending ? (
          <div className="grid gap-2">{[0, 1].map((i) => <Skeleton key={i} className="h-12" />)}</div>
        ) : users.isError ? (
          <ErrorState error={users.error} onRetry={() => users.refetch()} />
        ) : (
          <ul className="divide-y rounded-lg border" aria-label="Users">
            {users.data.map((u) => (
              <li key={u.id} className="flex items-center gap-3 px-3 py-3 sm:px-4">
                <span className="grid size-8 shrink-0 place-items-center rounded-full bg-primary/12 text-sm font-semibold text-primary uppercase">
                  {u.username.slice(0, 1)}
                </span>
                <div className="min-w-0 flex-1">
                  <p className="truncate font-medium">{u.username}</p>
                  <p className="text-xs text-muted-foreground">joined {formatRelative(u.created_at)}</p>
                </div>
                {u.is_admin ? <Badge><ShieldCheck /> Admin</Badge> : null}
              </li>
            ))}
          </ul>
        )}
        {isAdmin ? <AddUserForm /> : null}
      </CardContent>
    </Card>
  );
}
