import { Keyboard } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";
import { SHORTCUTS } from "../lib/shortcuts";

export function ShortcutsHelp() {
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <Button variant="outline" size="icon" aria-label="Keyboard shortcuts" aria-describedby="player-shortcuts">
          <Keyboard />
        </Button>
      </TooltipTrigger>
      <TooltipContent side="bottom" align="end" className="p-3">
        <p className="mb-2 font-semibold">Keyboard shortcuts</p>
        <dl id="player-shortcuts" className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5">
          {SHORTCUTS.map((s) => (
            <div key={s.label} className="contents">
              <dt className="flex gap-1">
                {s.keys.map((k) => (
                  <kbd key={k} className="rounded border border-background/30 bg-background/15 px-1.5 font-mono text-[11px]">
                    {k}
                  </kbd>
                ))}
              </dt>
              <dd>{s.label}</dd>
            </div>
          ))}
        </dl>
      </TooltipContent>
    </Tooltip>
  );
}
