import { Cookie, Palette, Puzzle, Users } from "lucide-react";
import * as React from "react";
import { useSearchParams } from "react-router";
import { PageHeader } from "@/components/page-header";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useCurrentUser } from "@/lib/current-user";
import { AppearanceCard } from "./appearance-card";
import { CookiesCard } from "./cookies-card";
import { PairingCard } from "./pairing-card";
import { TokensCard } from "./tokens-card";
import { UsersCard } from "./users-card";

const TABS = ["extension", "cookies", "users", "appearance"] as const;
type Tab = (typeof TABS)[number];

export function SettingsPage() {
  const me = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get("tab") ?? "") ? (params.get("tab") as Tab) : "extension";
  const isAdmin = Boolean(me.data?.is_admin);

  React.useEffect(() => {
    document.title = "Settings · MediaFetcher";
  }, []);

  return (
    <div className="mx-auto w-full max-w-4xl">
      <PageHeader
        title="Settings"
        description={me.data ? `Signed in as ${me.data.username}${isAdmin ? " (administrator)" : ""}` : "Extension, cookies, users and appearance"}
      />
      <Tabs value={tab} onValueChange={(v) => setParams({ tab: v }, { replace: true })}>
        <TabsList aria-label="Settings sections" className="grid w-full auto-cols-fr grid-flow-col sm:inline-flex sm:w-auto">
          <TabsTrigger value="extension"><Puzzle className="max-sm:hidden" /> Extension</TabsTrigger>
          <TabsTrigger value="cookies"><Cookie className="max-sm:hidden" /> Cookies</TabsTrigger>
          {isAdmin ? <TabsTrigger value="users"><Users className="max-sm:hidden" /> Users</TabsTrigger> : null}
          <TabsTrigger value="appearance" aria-label="Appearance"><Palette className="max-sm:hidden" /> <span className="hidden sm:inline">Appearance</span><span className="sm:hidden">Theme</span></TabsTrigger>
        </TabsList>
        <TabsContent value="extension" className="grid gap-5">
          <PairingCard />
          <TokensCard />
        </TabsContent>
        <TabsContent value="cookies">
          <CookiesCard />
        </TabsContent>
        <TabsContent value="users">
          <UsersCard isAdmin={isAdmin} />
        </TabsContent>
        <TabsContent value="appearance">
          <AppearanceCard />
        </TabsContent>
      </Tabs>
    </div>
  );
}
