import type { ReactNode } from 'react';
import { useMenu } from './useMenu';

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
  const menu = useMenu({
    count: options.length,
    onShow: () => Math.max(0, options.findIndex((o) => o.value === chosen)),
  });

  function choose(value: number) {
    onChoose(value);
    menu.close(true);
  }

  return (
    <div className="menu" ref={menu.root}>
      <button
        {...menu.buttonProps}
        className={`player__button player__choice${iconOnlyWhenNarrow ? ' player__choice--icon-narrow' : ''}${on ? ' player__choice--on' : ''}${className ? ` ${className}` : ''}`}
        aria-label={`${name}: ${label}`}
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
      {menu.open && (
        <ul id={menu.menuId} role="menu" aria-label={name} className="menu__list" onKeyDown={(e) => menu.onMenuKey(e)}>
          {options.map((o, i) => (
            <li role="none" key={o.value}>
              <button
                {...menu.itemProps(i)}
                role="menuitemradio"
                aria-checked={o.value === chosen}
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
