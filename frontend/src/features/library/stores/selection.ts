import { create } from "zustand";

/** Which library items are selected for a bulk action (client state only). */
interface SelectionState {
  ids: ReadonlySet<string>;
  toggle: (id: string) => void;
  setMany: (ids: string[], selected: boolean) => void;
  clear: () => void;
}

export const useSelection = create<SelectionState>()((set) => ({
  ids: new Set(),
  toggle: (id) =>
    set((s) => {
      const ids = new Set(s.ids);
      if (ids.has(id)) ids.delete(id);
      else ids.add(id);
      return { ids };
    }),
  setMany: (list, selected) =>
    set((s) => {
      const ids = new Set(s.ids);
      for (const id of list) {
        if (selected) ids.add(id);
        else ids.delete(id);
      }
      return { ids };
    }),
  clear: () => set({ ids: new Set() }),
}));
