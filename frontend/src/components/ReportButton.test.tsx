import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it } from 'vitest';
import { fakeClient, fakeServer, sent } from '../test/fakeServer';
import { ReportButton } from './ReportButton';

function renderButton(publicId?: string) {
  return render(
    <Provider value={fakeClient().client}>
      <ReportButton videoId="v1" publicId={publicId} />
    </Provider>,
  );
}

describe('ReportButton', () => {
  it('sends a reason and a note, then thanks the viewer', async () => {
    fakeServer(() => ({ data: { reportVideo: true } }));
    renderButton();
    await userEvent.click(screen.getByRole('button', { name: 'Report' }));
    await userEvent.selectOptions(screen.getByLabelText('Reason'), 'SPAM');
    await userEvent.type(screen.getByLabelText('Note (optional)'), ' buy now ');
    await userEvent.click(screen.getByRole('button', { name: 'Send report' }));
    expect(await screen.findByRole('status')).toHaveTextContent('the administrators will look at it');
    expect(sent).toEqual([{ name: 'ReportVideo', variables: { videoId: 'v1', reason: 'SPAM', note: 'buy now' } }]);
  });

  it('names an UNLISTED video by the public id the viewer reached it through', async () => {
    fakeServer(() => ({ data: { reportVideo: true } }));
    renderButton('pub-abc');
    await userEvent.click(screen.getByRole('button', { name: 'Report' }));
    await userEvent.selectOptions(screen.getByLabelText('Reason'), 'HATE');
    await userEvent.click(screen.getByRole('button', { name: 'Send report' }));
    expect(await screen.findByRole('status')).toHaveTextContent('the administrators will look at it');
    expect(sent).toEqual([{ name: 'ReportVideo', variables: { publicId: 'pub-abc', reason: 'HATE', note: null } }]);
  });

  it('says why a report was refused', async () => {
    fakeServer(() => ({
      data: null,
      errors: [{ message: 'You have sent many reports in the last hour. Try again later.', extensions: { code: 'RATE_LIMITED' } }],
    }));
    renderButton();
    await userEvent.click(screen.getByRole('button', { name: 'Report' }));
    await userEvent.selectOptions(screen.getByLabelText('Reason'), 'OTHER');
    await userEvent.click(screen.getByRole('button', { name: 'Send report' }));
    expect(await screen.findByText(/Too many attempts/)).toBeInTheDocument();
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });
});
