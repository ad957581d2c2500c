/** Telling the user from the service worker: notifications and the toolbar badge. */
import { badgeFor } from "./pending";
import { ext } from "./platform";

export async function notify(id: string, title: string, message: string): Promise<void> {
  try {
    await ext.notifications.create(id, {
      type: "basic", iconUrl: ext.runtime.getURL("icons/icon-128.png"), title, message,
    });
  } catch {
    // notifications turned off for the browser: the badge and the popup still tell
  }
}

/** The number of finished jobs not looked at yet; green, or red when the last failed. */
export async function setBadge(unseen: number, ok = true): Promise<void> {
  try {
    await ext.action.setBadgeBackgroundColor({ color: ok ? "#15803d" : "#b91c1c" });
    await ext.action.setBadgeText(badgeFor(unseen));
  } catch {
    // a browser without badges: the notification says it all
  }
}
