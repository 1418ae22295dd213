import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/** One entry of a choice menu. */
export interface Choice {
  value: number;
  label: string;
}

interface ChoiceMenuProps {
  /** What is chosen ("Quality", "Captions"): the menu's name and the start of the button's. */
  name: string;
  options: Choice[];
  chosen: number;
  /** What the button says ("Auto (720p)", "Off"). */
  label: string;
  /** A shorter label for narrow players ("Auto" for "Auto (720p)"). */
  shortLabel?: string;
  /** No icon: the label says it all ("1×"). */
  icon?: ReactNode;
  /** On narrow players, show the icon alone (the accessible name still says the choice). */
  iconOnlyWhenNarrow?: boolean;
  /** Something is switched on (captions): the button is highlighted. */
  on?: boolean;
  /** An extra class for the button ("player__choice--chapter"). */
  className?: string;
  onChoose(value: number): void;
}

/** A menu button that picks one of several options (menuitemradio entries, arrow keys, Escape). */
export function ChoiceMenu({ name, options, chosen, label, shortLabel, icon, iconOnlyWhenNarrow, on, className, onChoose }: ChoiceMenuProps) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const menuId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const items = useRef<(HTMLButtonElement | null)[]>([]);

  useEffect(() => {
    if (open) items.current[active]?.focus();
  }, [open, active]);

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
    setActive(Math.max(0, options.findIndex((o) => o.value === chosen)));
    setOpen(true);
  }

  function close(focusButton: boolean) {
    setOpen(false);
    if (focusButton) button.current?.focus();
  }

  function choose(value: number) {
    onChoose(value);
    close(true);
  }

  function onMenuKey(e: KeyboardEvent) {
    const last = options.length - 1;
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
        setOpen(false);
        return; // let focus move on
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  }

  return (
    <div className="menu" ref={root}>
      <button
        ref={button}
        type="button"
        className={`player__button player__choice${iconOnlyWhenNarrow ? ' player__choice--icon-narrow' : ''}${on ? ' player__choice--on' : ''}${className ? ` ${className}` : ''}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={`${name}: ${label}`}
        onClick={() => (open ? close(false) : show())}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            e.stopPropagation();
            show();
          }
        }}
      >
        {icon}
        {shortLabel !== undefined && shortLabel !== label ? (
          <>
            <span className="player__choice-label player__choice-label--long">{label}</span>
            <span className="player__choice-label player__choice-label--short" aria-hidden="true">
              {shortLabel}
            </span>
          </>
        ) : (
          <span className="player__choice-label">{label}</span>
        )}
      </button>
      {open && (
        <ul id={menuId} role="menu" aria-label={name} className="menu__list" onKeyDown={onMenuKey}>
          {options.map((o, i) => (
            <li role="none" key={o.value}>
              <button
                ref={(el) => {
                  items.current[i] = el;
                }}
                type="button"
                role="menuitemradio"
                aria-checked={o.value === chosen}
                tabIndex={i === active ? 0 : -1}
                className="menu__item"
                onClick={() => choose(o.value)}
              >
                {o.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
