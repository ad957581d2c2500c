export { AuthGate } from "./components/auth-gate";
export { useLogout } from "./api/logout";
