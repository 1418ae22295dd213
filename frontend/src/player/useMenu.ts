// The behaviour every player menu shares (ChoiceMenu, SettingsMenu): a
// menu button that opens a list of entries, one of them focused at a time
// (roving tabindex), arrow keys, Home and End to move, Escape to close and
// give focus back to the button, Tab to leave, and a click elsewhere to close.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';

interface MenuOptions {
  /** How many entries the open menu lists now. */
  count: number;
  /** What the menu shows besides its entries (a page of a menu with pages): focus follows it too. */
  view?: unknown;
  /** Opening: which entry is focused first. */
  onShow(): number;
  /** Closing, by any means. */
  onClose?(): void;
}

/** A menu's open state, focused entry and the props of its button, list and entries. */
export function useMenu({ count, view, onShow, onClose }: MenuOptions) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const menuId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const items = useRef<(HTMLButtonElement | null)[]>([]);

  useEffect(() => {
    if (open) items.current[active]?.focus();
  }, [open, view, active]);

  // A click anywhere else closes the menu.
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  function show() {
    setActive(onShow());
    setOpen(true);
  }

  function close(focusButton: boolean) {
    setOpen(false);
    onClose?.();
    if (focusButton) button.current?.focus();
  }

  /**
   * The list's keys. handle sees each key first (a menu's own, such as
   * ArrowRight into a page) and returns true where it took it.
   */
  function onMenuKey(e: KeyboardEvent, handle?: (key: string) => boolean) {
    const last = count - 1;
    if (handle?.(e.key)) {
      // taken by the menu itself
    } else {
      switch (e.key) {
        case 'ArrowDown':
          setActive((i) => (i >= last ? 0 : i + 1));
          break;
        case 'ArrowUp':
          setActive((i) => (i <= 0 ? last : i - 1));
          break;
        case 'Home':
          setActive(0);
          break;
        case 'End':
          setActive(last);
          break;
        case 'Escape':
          close(true);
          break;
        case 'Tab':
          close(false);
          return; // let focus move on
        default:
          return;
      }
    }
    e.preventDefault();
    e.stopPropagation();
  }

  /** The menu button's props (a click toggles, ArrowDown or ArrowUp opens). */
  const buttonProps = {
    ref: button,
    type: 'button' as const,
    'aria-haspopup': 'menu' as const,
    'aria-expanded': open,
    'aria-controls': open ? menuId : undefined,
    onClick: () => (open ? close(false) : show()),
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        e.stopPropagation();
        show();
      }
    },
  };

  /** The props of entry i: its ref and its place in the roving tabindex. */
  const itemProps = (i: number) => ({
    ref: (el: HTMLButtonElement | null) => {
      items.current[i] = el;
    },
    type: 'button' as const,
    tabIndex: active === i ? 0 : -1,
  });

  return { open, active, setActive, menuId, root, close, onMenuKey, buttonProps, itemProps };
}
