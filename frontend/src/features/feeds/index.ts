export { FeedsPage } from "./components/feeds-page";
