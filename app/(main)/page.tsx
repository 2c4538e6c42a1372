import { HomeDashboard } from "@/components/workspaces/home-dashboard";

export default function HomePage() {
  return <HomeDashboard />;
}
