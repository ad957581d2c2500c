export { DashboardPage } from "./components/dashboard-page";
export { applyJobEvent, applyProgressEvent } from "./api/get-jobs";
