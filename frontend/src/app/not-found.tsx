import { Compass } from "lucide-react";
import { Link } from "react-router";
import { EmptyState } from "@/components/states";
import { Button } from "@/components/ui/button";

export function NotFoundPage() {
  return (
    <EmptyState icon={Compass} title="This page does not exist" action={<Button asChild><Link to="/">Go to the dashboard</Link></Button>}>
      The link may be old, or mistyped.
    </EmptyState>
  );
}
